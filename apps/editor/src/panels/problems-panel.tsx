import type { Problem } from '@waymark/nodes';
import { CircleAlert, CircleCheck } from 'lucide-react';
import { format, useStrings } from '../strings.ts';

/** A problem with the readable message and the name of the step it concerns. */
export interface ShownProblem {
  problem: Problem;
  message: string;
  /** The step's title on the canvas, when the problem names a step. */
  where: string | undefined;
}

/** Props of {@link ProblemsPanel}. */
export interface ProblemsPanelProps {
  problems: readonly ShownProblem[];
  /** Problems the server named when it refused to publish (e.g. node types this build lacks). */
  serverProblems: readonly ShownProblem[];
  onFocus: (problem: Problem) => void;
  /** Said instead of "ready to publish" when what is shown cannot be published (a version, a read-only journey). */
  note?: string | undefined;
}

/** Lists the compiler's problems; pressing one selects and shows the step (or edge) it names. */
export function ProblemsPanel({ problems, serverProblems, onFocus, note }: ProblemsPanelProps) {
  const s = useStrings();
  const total = problems.length + serverProblems.length;
  const item = (p: ShownProblem, i: number) => (
    <li key={`${i}:${p.problem.code}:${p.message}`}>
      <button
        type="button"
        className="wm-problem"
        data-code={p.problem.code}
        onClick={() => onFocus(p.problem)}
        title={p.problem.nodeId || p.problem.edgeId ? s.showOnCanvas : undefined}
      >
        <CircleAlert aria-hidden size={14} />
        {p.where && <strong>{p.where}</strong>}
        <span>{p.message}</span>
      </button>
    </li>
  );
  return (
    <section className="wm-problems" aria-label={s.problems} aria-live="polite">
      {total === 0 && note !== undefined ? (
        <p className="wm-hint">{note}</p>
      ) : total === 0 ? (
        <p className="wm-ok">
          <CircleCheck aria-hidden size={14} /> {s.noProblems}
        </p>
      ) : (
        <>
          <h2>{format(s.problemsHeading, { count: total })}</h2>
          <ul className="wm-problem-list">{problems.map(item)}</ul>
          {serverProblems.length > 0 && (
            <>
              <p>{s.serverProblems}</p>
              <ul className="wm-problem-list">{serverProblems.map(item)}</ul>
            </>
          )}
        </>
      )}
    </section>
  );
}
