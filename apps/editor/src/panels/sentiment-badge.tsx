import { useStrings } from '../strings.ts';

/** How a sentiment reads: the colour class and the word shown with it (never colour alone). */
export type SentimentTone = 'positive' | 'neutral' | 'negative';

/**
 * The tone of a sentiment: from the model's label when it names one, otherwise from a score on the
 * −1…1 scale (below −0.25 negative, above 0.25 positive).
 */
export function sentimentTone(score: number, label?: string): SentimentTone {
  const l = label?.toLowerCase() ?? '';
  if (l.startsWith('pos')) return 'positive';
  if (l.startsWith('neg')) return 'negative';
  if (l.startsWith('neu')) return 'neutral';
  return score > 0.25 ? 'positive' : score < -0.25 ? 'negative' : 'neutral';
}

/** A sentiment as a coloured badge with its word and score, e.g. “positive 0.82”. */
export function SentimentBadge({ score, label }: { score: number; label?: string | undefined }) {
  const s = useStrings();
  const tone = sentimentTone(score, label);
  const word =
    tone === 'positive' ? s.sentimentPositive : tone === 'negative' ? s.sentimentNegative : s.sentimentNeutral;
  return (
    <span className={`wm-sentiment wm-sentiment-${tone}`} title={s.sentiment}>
      <span className="wm-visually-hidden">{`${s.sentiment}: `}</span>
      {`${word} ${score.toFixed(2)}`}
    </span>
  );
}
