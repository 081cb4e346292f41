import { portsOf } from '@waymark/nodes';
import { Handle, type NodeProps, Position, useUpdateNodeInternals } from '@xyflow/react';
import { CircleAlert } from 'lucide-react';
import { memo, useEffect } from 'react';
import { format, useStrings } from '../strings.ts';
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
  const { catalog, problemsByNode, visits, readOnly } = useCanvasInfo();
  const description = catalog.get(data.type, data.typeVersion ?? 1) ?? catalog.get(data.type);
  const ports = description ? portsOf(description.ports, data.config ?? {}) : [];
  const problems = problemsByNode.get(id) ?? [];
  const steps = visits?.get(id);
  const portKey = ports.map((p) => p.id).join('|');
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
      </div>
      <div className={summary ? 'wm-node-summary' : 'wm-node-summary wm-muted'} title={summary}>
        {summary || (problems.length > 0 ? s.needsSetup : description?.description)}
      </div>
      {ports.length > 0 && (
        <div className="wm-node-ports">
          {ports.map((p) => (
            <span key={p.id} className="wm-port-label" data-port={p.id}>
              {ports.length === 1 && p.id === 'next' ? '' : p.label}
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
          style={{ left: `${((i + 0.5) / ports.length) * 100}%` }}
          isConnectable={!readOnly}
          title={p.label}
          aria-label={`${title}: ${p.label}`}
        />
      ))}
    </div>
  );
});
