import type { PortSpec } from '@waymark/nodes';
import { portsOf } from '@waymark/nodes';
import { Handle, type NodeProps, Position, useUpdateNodeInternals } from '@xyflow/react';
import { CircleAlert } from 'lucide-react';
import { memo, useEffect } from 'react';
import { format, useStrings } from '../strings.ts';
import { type NodeCounts, percent } from './analytics.ts';
import { useCanvasInfo } from './canvas-context.ts';
import type { StepNode } from './editor-state.ts';
import { NodeIcon } from './icons.tsx';
import { summarizeConfig } from './summary.ts';

/**
 * A step's card on the canvas: icon, title, a one-line summary of its config, its problems, and one
 * labelled output handle per port (derived from the config for splits and A/B tests).
 */
export const StepNodeCard = memo(function StepNodeCard({ id, data, selected }: NodeProps<StepNode>) {
  const s = useStrings();
  const { catalog, problemsByNode, visits, readOnly, changes, counts, missingPorts } = useCanvasInfo();
  const description = catalog.get(data.type, data.typeVersion ?? 1) ?? catalog.get(data.type);
  const ports = description ? portsOf(description.ports, data.config ?? {}) : [];
  const problems = problemsByNode.get(id) ?? [];
  const steps = visits?.get(id);
  const change = changes?.get(id);
  const count = counts?.get(id);
  const missing = missingPorts?.get(id) ?? noPorts;
  const handles = ports.length + missing.length;
  const portKey = [...ports.map((p) => p.id), ...missing].join('|');
  const updateNodeInternals = useUpdateNodeInternals();
  // Handles move when ports come and go (a branch added to a split): React Flow must re-measure them.
  // biome-ignore lint/correctness/useExhaustiveDependencies: portKey is the trigger, not an input
  useEffect(() => {
    updateNodeInternals(id);
  }, [id, portKey, updateNodeInternals]);

  const title = data.label ?? description?.title ?? format(s.unknownType, { type: data.type });
  const summary = summarizeConfig(description, data.config);
  const classes = [
    'wm-node',
    `wm-cat-${description?.category ?? 'unknown'}`,
    selected ? 'wm-selected' : '',
    problems.length > 0 ? 'wm-has-problems' : '',
    visits ? (steps ? 'wm-visited' : 'wm-not-visited') : '',
    change ? `wm-diff-${change.kind}` : '',
  ].join(' ');
  const problemText = problems.map((p) => p.message).join('\n');
  return (
    <div className={classes} data-type={data.type}>
      {description?.category !== 'trigger' && (
        <Handle type="target" position={Position.Top} className="wm-handle-in" isConnectable={!readOnly} />
      )}
      <div className="wm-node-head">
        <span className="wm-node-icon">
          <NodeIcon name={description?.icon} />
        </span>
        <span className="wm-node-title">{title}</span>
        {problems.length > 0 && (
          <span
            className="wm-node-problems"
            title={problemText}
            role="img"
            aria-label={format(s.problemCount, { count: problems.length })}
          >
            <CircleAlert aria-hidden size={14} />
            {problems.length}
          </span>
        )}
        {steps && <span className="wm-node-steps">{steps.join(', ')}</span>}
        {change && (
          <span
            className={`wm-diff-badge wm-diff-badge-${change.kind}`}
            title={
              change.kind === 'changed'
                ? format(s.changedFields, { fields: change.fields.map((f) => s[`field_${f}`]).join(', ') })
                : undefined
            }
          >
            {s[`diff_${change.kind}`]}
          </span>
        )}
      </div>
      <div className={summary ? 'wm-node-summary' : 'wm-node-summary wm-muted'} title={summary}>
        {summary || (problems.length > 0 ? s.needsSetup : description?.description)}
      </div>
      {counts && <NodeStats counts={count} ports={ports} isAbTest={data.type === 'flow.abTest'} />}
      {handles > 0 && (
        <div className="wm-node-ports">
          {ports.map((p) => (
            <span key={p.id} className="wm-port-label" data-port={p.id}>
              {handles === 1 && p.id === 'next' ? '' : p.label}
            </span>
          ))}
          {missing.map((port) => (
            <span
              key={`missing:${port}`}
              className="wm-port-label wm-port-missing"
              data-port={port}
              title={format(s.missingPort, { port })}
            >
              {port}
            </span>
          ))}
        </div>
      )}
      {ports.map((p, i) => (
        <Handle
          key={p.id}
          id={p.id}
          type="source"
          position={Position.Bottom}
          className="wm-handle-out"
          style={{ left: `${((i + 0.5) / handles) * 100}%` }}
          isConnectable={!readOnly}
          title={p.label}
          aria-label={`${title}: ${p.label}`}
        />
      ))}
      {missing.map((port, i) => (
        // Only to draw the connection from: nothing new connects to a port that does not exist.
        <Handle
          key={`missing:${port}`}
          id={port}
          type="source"
          position={Position.Bottom}
          className="wm-handle-out wm-handle-missing"
          style={{ left: `${((ports.length + i + 0.5) / handles) * 100}%` }}
          isConnectable={false}
          title={format(s.missingPort, { port })}
          aria-label={`${title}: ${format(s.missingPort, { port })}`}
        />
      ))}
    </div>
  );
});

const noPorts: readonly string[] = [];

/** The analytics overlay on a card: how many entered, wait, went on and failed; email and variant results. */
function NodeStats({
  counts,
  ports,
  isAbTest,
}: {
  counts: NodeCounts | undefined;
  ports: PortSpec[];
  isAbTest: boolean;
}) {
  const s = useStrings();
  const c = counts ?? {
    entered: 0,
    active: 0,
    completed: 0,
    failed: 0,
    sent: undefined,
    opened: undefined,
    clicked: undefined,
    variants: undefined,
  };
  const chips: [string, string, number | undefined][] = [
    ['entered', s.statEntered, c.entered],
    ['active', s.statActive, c.active],
    ['completed', s.statCompleted, c.completed],
    ['failed', s.statFailed, c.failed],
    ['sent', s.statSent, c.sent],
    ['opened', s.statOpened, c.opened],
    ['clicked', s.statClicked, c.clicked],
  ];
  const variants = isAbTest
    ? (c.variants ??
      ports.map((p) => ({
        port: p.id,
        label: p.label,
        trials: 0,
        sent: undefined,
        opened: undefined,
        clicked: undefined,
        successes: 0,
        rate: undefined,
      })))
    : undefined;
  return (
    <div className="wm-node-stats">
      <dl>
        {chips.map(([key, label, n]) =>
          n === undefined || (key === 'failed' && n === 0) ? null : (
            <div key={key} className={`wm-stat wm-stat-${key}`} data-stat={key}>
              <dt>{label}</dt>
              <dd>{n}</dd>
            </div>
          ),
        )}
      </dl>
      {variants && (
        <table className="wm-variants">
          <caption className="wm-visually-hidden">{s.variantResults}</caption>
          <thead>
            <tr>
              <th scope="col">{s.variant}</th>
              <th scope="col">{s.statEntered}</th>
              <th scope="col">{s.statSent}</th>
              <th scope="col">{s.statOpened}</th>
              <th scope="col">{s.statClicked}</th>
              <th scope="col">{s.statRate}</th>
            </tr>
          </thead>
          <tbody>
            {variants.map((v) => (
              <tr key={v.port} data-variant={v.port}>
                <th scope="row">{v.label}</th>
                <td>{v.trials}</td>
                <td>{v.sent ?? '–'}</td>
                <td>{v.opened ?? '–'}</td>
                <td>{v.clicked ?? '–'}</td>
                <td title={`${v.successes} ${s.statSuccesses}`}>{percent(v.rate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
