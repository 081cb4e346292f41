import { type NodeTypeDescription, type Problem, portsOf } from '@waymark/nodes';
import { ArrowUpCircle, Trash2 } from 'lucide-react';
import { type Dispatch, useId, useMemo, useState } from 'react';
import type { EditorAction, StepEdge, StepNode } from '../canvas/editor-state.ts';
import { NodeIcon } from '../canvas/icons.tsx';
import { format, useStrings } from '../strings.ts';
import { AiPanel } from './ai-panel.tsx';
import type { JsonSchema, PortKeys } from './schema-form/json-schema.ts';
import { type FieldProblem, SchemaForm } from './schema-form/schema-form.tsx';

/** Props of {@link ConfigPanel}. */
export interface ConfigPanelProps {
  node: StepNode;
  description: NodeTypeDescription | undefined;
  /** Problems of this node, messages already made readable. */
  problems: readonly Problem[];
  nodes: readonly StepNode[];
  edges: readonly StepEdge[];
  dispatch: Dispatch<EditorAction>;
  readOnly: boolean;
  /** How other steps are named in the output pickers. */
  nodeTitle: (node: StepNode) => string;
  /** The newest version of the step's node type, when it is newer than the step's. */
  upgradeTo?: number | undefined;
  /** Upgrades the step to `upgradeTo` (through the runtime, which migrates its config). */
  onUpgrade?: (() => Promise<void>) | undefined;
}

/**
 * The side panel of the selected step: its label, a form generated from its node type's config schema,
 * where each output leads (so connecting works from the keyboard too), and delete.
 */
export function ConfigPanel(props: ConfigPanelProps) {
  const { node, description, problems, nodes, edges, dispatch, readOnly, nodeTitle, upgradeTo, onUpgrade } = props;
  const s = useStrings();
  const [upgrading, setUpgrading] = useState(false);
  const labelId = useId();
  const headingId = useId();
  const config = node.data.config ?? {};
  const ports = description ? portsOf(description.ports, config) : [];
  const portKeys = useMemo<PortKeys | undefined>(() => {
    const spec = description?.ports;
    return spec && !Array.isArray(spec) ? { array: spec.fromConfig, idKey: spec.idKey } : undefined;
  }, [description]);
  const fieldProblems = useMemo<FieldProblem[]>(
    () => problems.filter((p) => p.path && p.path[0] !== 'ports').map((p) => ({ path: p.path, message: p.message })),
    [problems],
  );
  const others = nodes.filter((n) => n.id !== node.id);

  return (
    <section className="wm-panel" aria-labelledby={headingId}>
      <header className="wm-panel-head">
        <span className="wm-node-icon">
          <NodeIcon name={description?.icon} size={18} />
        </span>
        <div>
          <h2 id={headingId}>{description?.title ?? node.data.type}</h2>
          {description && <p className="wm-hint">{description.description}</p>}
        </div>
      </header>
      {upgradeTo !== undefined && onUpgrade && !readOnly && (
        <div className="wm-field wm-upgrade">
          <p className="wm-hint">{format(s.upgradeHint, { version: upgradeTo })}</p>
          <button
            type="button"
            className="wm-button"
            disabled={upgrading}
            onClick={() => {
              setUpgrading(true);
              onUpgrade().finally(() => setUpgrading(false));
            }}
          >
            <ArrowUpCircle aria-hidden size={14} />{' '}
            {upgrading ? s.upgradingStep : format(s.upgradeStep, { version: upgradeTo })}
          </button>
        </div>
      )}
      <div className="wm-field">
        <label htmlFor={labelId}>{s.stepLabel}</label>
        <input
          id={labelId}
          type="text"
          value={node.data.label ?? ''}
          placeholder={description?.title}
          disabled={readOnly}
          onChange={(e) =>
            dispatch({
              type: 'updateNode',
              id: node.id,
              data: { label: e.target.value },
              coalesceKey: `label:${node.id}`,
            })
          }
        />
        <p className="wm-hint">
          {s.stepId}: <code>{node.id}</code>
        </p>
      </div>
      {problems.length > 0 && (
        <ul className="wm-problem-list wm-inline-problems" aria-label={s.problems}>
          {problems.map((p) => (
            <li key={`${p.code}:${p.message}`}>{p.message}</li>
          ))}
        </ul>
      )}
      {description ? (
        Object.keys((description.configSchema as JsonSchema).properties ?? {}).length > 0 ? (
          <SchemaForm
            schema={description.configSchema as JsonSchema}
            value={config}
            problems={fieldProblems}
            ports={portKeys}
            disabled={readOnly}
            onChange={(next) =>
              dispatch({
                type: 'updateNode',
                id: node.id,
                data: { config: next },
                ports: description.ports,
                coalesceKey: `config:${node.id}`,
              })
            }
          />
        ) : (
          <p className="wm-muted">{s.noSchema}</p>
        )
      ) : null}
      <AiPanel
        nodeType={node.data.type}
        config={config}
        disabled={readOnly}
        onChange={(next) => dispatch({ type: 'updateNode', id: node.id, data: { config: next } })}
      />
      {ports.length > 0 && (
        <fieldset className="wm-outputs" disabled={readOnly}>
          <legend>{s.outputs}</legend>
          {ports.map((port) => {
            const edge = edges.find((e) => e.source === node.id && (e.sourceHandle ?? 'next') === port.id);
            const id = `${labelId}-port-${port.id}`;
            return (
              <div className="wm-field" key={port.id}>
                <label htmlFor={id}>{`${port.label} →`}</label>
                <select
                  id={id}
                  value={edge?.target ?? ''}
                  onChange={(e) => {
                    if (e.target.value === '') {
                      if (edge) dispatch({ type: 'checkpoint' });
                      if (edge) dispatch({ type: 'edgesChange', changes: [{ type: 'remove', id: edge.id }] });
                    } else
                      dispatch({
                        type: 'connect',
                        connection: {
                          source: node.id,
                          sourceHandle: port.id,
                          target: e.target.value,
                          targetHandle: null,
                        },
                      });
                  }}
                >
                  <option value="">{s.notSet}</option>
                  {others.map((n) => (
                    <option key={n.id} value={n.id}>
                      {nodeTitle(n)}
                    </option>
                  ))}
                </select>
              </div>
            );
          })}
        </fieldset>
      )}
      {!readOnly && (
        <button
          type="button"
          className="wm-button wm-danger"
          onClick={() => {
            dispatch({ type: 'select', nodeIds: [node.id] });
            dispatch({ type: 'deleteSelection' });
          }}
        >
          <Trash2 aria-hidden size={14} /> {s.deleteStep}
        </button>
      )}
    </section>
  );
}
