import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { SentimentBadge, sentimentTone } from './sentiment-badge.tsx';

afterEach(cleanup);

describe('sentiment', () => {
  it('takes the tone from the model label when it names one, else from the score', () => {
    expect(sentimentTone(0.99, 'POSITIVE')).toBe('positive');
    expect(sentimentTone(0.99, 'negative')).toBe('negative');
    expect(sentimentTone(-0.9, 'Neutral')).toBe('neutral');
    expect(sentimentTone(0.6)).toBe('positive');
    expect(sentimentTone(-0.6)).toBe('negative');
    expect(sentimentTone(0.25)).toBe('neutral');
    expect(sentimentTone(-0.01, 'LABEL_1')).toBe('neutral');
  });

  it('says the tone in words and numbers, not by colour alone', () => {
    const { container } = render(<SentimentBadge score={-0.734} />);
    expect(container.textContent).toBe('Sentiment: negative -0.73');
    expect(screen.getByText(/negative -0\.73/).className).toContain('wm-sentiment-negative');
  });
});
