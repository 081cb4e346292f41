import {
  type Effect,
  manualEnrolEvent,
  type PreparedJourney,
  portsOf,
  type RuntimeEvent,
  type SimulationLine,
  simulate,
} from '@waymark/nodes';
import { ChevronLeft, ChevronRight, Play, Plus, X } from 'lucide-react';
import { useEffect, useId, useMemo, useState } from 'react';
import type { StepEdge, StepNode } from '../canvas/editor-state.ts';
import type { NodeTypeCatalog } from '../canvas/registry.ts';
import { format, type Strings, useStrings } from '../strings.ts';
import { type TestContact, TestContactEditor } from './test-contact.tsx';

/** What the canvas lights up: the step numbers at which each node was left, and the edges taken. */
export interface SimulationHighlight {
  visits: ReadonlyMap<string, readonly number[]>;
  edges: ReadonlySet<string>;
}

interface EventRow {
  at: string;
  event: string;
  properties: string;
}

type Line = SimulationLine | { at: string; event: string; error: { code: string; message: string } };

/** `YYYY-MM-DDTHH:MM` in local time, as `<input type="datetime-local">` writes it. */
function localInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function firstEvent(nodes: readonly StepNode[]): string {
  const event = nodes.find((n) => n.data.type === 'trigger.event')?.data.config?.event;
  if (typeof event === 'string') return event;
  if (nodes.some((n) => n.data.type === 'trigger.manual')) return manualEnrolEvent;
  return '';
}

function describeEffect(effect: Effect): string {
  switch (effect.kind) {
    case 'email':
      return `✉ ${effect.template}${effect.subject ? ` — ${effect.subject}` : ''}`;
    case 'updateContact':
      return `✎ ${Object.keys(effect.set).join(', ')}${effect.unset?.length ? ` −${effect.unset.join(', ')}` : ''}`;
    case 'webhook':
      return `↗ ${effect.method} ${effect.url}`;
    case 'generateSubject':
      return `✨ ${effect.variants} × ${effect.brief}`;
    case 'sentiment':
      return `☺ ${effect.source}`;
    default:
      return effect.kind;
  }
}

/** Props of {@link SimulationPanel}. */
export interface SimulationPanelProps {
  journey: PreparedJourney | undefined;
  nodes: readonly StepNode[];
  edges: readonly StepEdge[];
  catalog: NodeTypeCatalog;
  nodeTitle: (node: StepNode) => string;
  onHighlight: (highlight: SimulationHighlight | null) => void;
  onClose: () => void;
}

/**
 * Runs a test contact and a list of events through the journey in the browser, with the interpreter
 * the runtime uses (`simulate` of `@waymark/nodes`), lists each step's time and effect, and lights the
 * path up on the canvas, step by step.
 */
export function SimulationPanel(props: SimulationPanelProps) {
  const { journey, nodes, edges, catalog, nodeTitle, onHighlight, onClose } = props;
  const s = useStrings();
  const headingId = useId();
  const cursorId = useId();
  const [contact, setContact] = useState<TestContact>({ id: 'test-contact', attributes: { plan: 'free' } });
  const [contactValid, setContactValid] = useState(true);
  const [events, setEvents] = useState<EventRow[]>(() => [
    { at: localInput(Math.ceil(Date.now() / 3_600_000) * 3_600_000), event: firstEvent(nodes), properties: '' },
  ]);
  const [error, setError] = useState<string | null>(null);
  const [lines, setLines] = useState<Line[] | null>(null);
  const [cursor, setCursor] = useState(0);

  const steps = useMemo(() => (lines ?? []).filter((l): l is SimulationLine => 'node' in l), [lines]);

  useEffect(() => {
    if (!lines) {
      onHighlight(null);
      return;
    }
    const visits = new Map<string, number[]>();
    const taken = new Set<string>();
    steps.slice(0, cursor).forEach((line, i) => {
      visits.set(line.node, [...(visits.get(line.node) ?? []), i + 1]);
      if (line.exit !== undefined || line.error !== undefined) return;
      const port = line.port ?? 'next';
      const edge = edges.find((e) => e.source === line.node && (e.sourceHandle ?? 'next') === port);
      if (edge) taken.add(edge.id);
    });
    onHighlight({ visits, edges: taken });
  }, [lines, steps, cursor, edges, onHighlight]);

  useEffect(() => () => onHighlight(null), [onHighlight]);

  const run = () => {
    setError(null);
    if (!journey) {
      setError(s.fixProblemsFirst);
      setLines(null);
      return;
    }
    if (!contactValid) {
      setError(`${s.testContact}: ${s.invalidJson}`);
      return;
    }
    const input: RuntimeEvent[] = [];
    for (const [i, row] of events.entries()) {
      const at = new Date(row.at).getTime();
      let properties: Record<string, unknown> = {};
      try {
        if (row.properties.trim() !== '') properties = JSON.parse(row.properties) as Record<string, unknown>;
      } catch {
        setError(`${s.events} ${i + 1}: ${s.eventProperties}: ${s.invalidJson}`);
        return;
      }
      if (!Number.isFinite(at) || row.event.trim() === '') continue;
      input.push({ event: row.event.trim(), at, properties });
    }
    const out = simulate(journey, { id: contact.id, attributes: contact.attributes }, input);
    setLines(out);
    setCursor(out.filter((l) => 'node' in l).length);
  };

  const outcome = (line: SimulationLine): string => {
    const parts: string[] = [];
    const node = nodes.find((n) => n.id === line.node);
    if (line.port !== undefined) {
      const description = catalog.get(line.type);
      const label = description
        ? portsOf(description.ports, node?.data.config ?? {}).find((p) => p.id === line.port)?.label
        : undefined;
      parts.push(format(s.via, { port: label ?? line.port }));
    }
    if (line.effect) parts.push(describeEffect(line.effect));
    if (line.skipped) parts.push(format(s.skipped, { reason: line.skipped }));
    if (line.exit) parts.push(line.exit === 'goal' ? s.exitGoal : s.exitCompleted);
    if (line.error) parts.push(`⚠ ${line.error.message}`);
    return parts.join(' · ');
  };

  const title = (id: string) => {
    const node = nodes.find((n) => n.id === id);
    return node ? nodeTitle(node) : id;
  };

  return (
    <section className="wm-panel wm-simulation" aria-labelledby={headingId}>
      <header className="wm-panel-head">
        <h2 id={headingId}>{s.simulation}</h2>
        <button type="button" className="wm-button wm-small" onClick={onClose}>
          {s.exitSimulation}
        </button>
      </header>
      <TestContactEditor value={contact} onChange={setContact} onValidity={setContactValid} />
      <fieldset className="wm-field">
        <legend>{s.events}</legend>
        {events.map((row, i) => (
          <EventEditor
            // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place
            key={i}
            row={row}
            n={i + 1}
            strings={s}
            onChange={(r) => setEvents(events.map((x, j) => (j === i ? r : x)))}
            onRemove={() => setEvents(events.filter((_, j) => j !== i))}
          />
        ))}
        <button
          type="button"
          className="wm-button wm-small"
          onClick={() => {
            const last = events[events.length - 1];
            const at = last ? new Date(last.at).getTime() + 3_600_000 : Date.now();
            setEvents([
              ...events,
              { at: localInput(Number.isFinite(at) ? at : Date.now()), event: '', properties: '' },
            ]);
          }}
        >
          <Plus aria-hidden size={14} /> {s.addEvent}
        </button>
      </fieldset>
      <button type="button" className="wm-button wm-primary" onClick={run}>
        <Play aria-hidden size={14} /> {s.runSimulation}
      </button>
      {error && (
        <p className="wm-field-error" role="alert">
          {error}
        </p>
      )}
      {lines && steps.length === 0 && <p className="wm-muted">{s.noSteps}</p>}
      {lines && steps.length > 0 && (
        <>
          <div className="wm-row wm-stepper">
            <button
              type="button"
              className="wm-icon-button"
              aria-label={s.previousStep}
              title={s.previousStep}
              disabled={cursor <= 1}
              onClick={() => setCursor(cursor - 1)}
            >
              <ChevronLeft aria-hidden size={16} />
            </button>
            <label htmlFor={cursorId} className="wm-visually-hidden">
              {s.showUpTo}
            </label>
            <input
              id={cursorId}
              type="range"
              min={1}
              max={steps.length}
              value={cursor}
              onChange={(e) => setCursor(Number(e.target.value))}
            />
            <button
              type="button"
              className="wm-icon-button"
              aria-label={s.nextStep}
              title={s.nextStep}
              disabled={cursor >= steps.length}
              onClick={() => setCursor(cursor + 1)}
            >
              <ChevronRight aria-hidden size={16} />
            </button>
            <span>
              {cursor} / {steps.length}
            </span>
          </div>
          <table className="wm-steps">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{s.time}</th>
                <th scope="col">{s.step}</th>
                <th scope="col">{s.outcome}</th>
              </tr>
            </thead>
            <tbody>
              {steps.map((line, i) => (
                <tr
                  // Steps are a fixed list for one run; their number is their identity.
                  // biome-ignore lint/suspicious/noArrayIndexKey: see above
                  key={`${i}:${line.node}`}
                  className={i < cursor ? 'wm-step-shown' : 'wm-step-later'}
                  data-node={line.node}
                >
                  <td>{i + 1}</td>
                  <td>
                    <time dateTime={line.at}>{new Date(line.at).toLocaleString()}</time>
                  </td>
                  <td>{title(line.node)}</td>
                  <td>{outcome(line)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {lines
            .filter((l) => !('node' in l))
            .map((l) => (
              <p key={`${l.at}:${l.error?.message}`} className="wm-field-error">
                {`${l.at}: ${l.error?.message ?? ''}`}
              </p>
            ))}
        </>
      )}
    </section>
  );
}

function EventEditor(props: {
  row: EventRow;
  n: number;
  strings: Strings;
  onChange: (row: EventRow) => void;
  onRemove: () => void;
}) {
  const { row, n, strings: s, onChange, onRemove } = props;
  const id = useId();
  return (
    <fieldset className="wm-item">
      <legend>{format(s.eventN, { n })}</legend>
      <button
        type="button"
        className="wm-icon-button"
        aria-label={format(s.removeEvent, { n })}
        title={format(s.removeEvent, { n })}
        onClick={onRemove}
      >
        <X aria-hidden size={14} />
      </button>
      <div className="wm-field">
        <label htmlFor={`${id}-at`}>{s.eventTime}</label>
        <input
          id={`${id}-at`}
          type="datetime-local"
          value={row.at}
          onChange={(e) => onChange({ ...row, at: e.target.value })}
        />
      </div>
      <div className="wm-field">
        <label htmlFor={`${id}-event`}>{s.eventName}</label>
        <input
          id={`${id}-event`}
          type="text"
          value={row.event}
          onChange={(e) => onChange({ ...row, event: e.target.value })}
        />
      </div>
      <div className="wm-field">
        <label htmlFor={`${id}-props`}>{s.eventProperties}</label>
        <input
          id={`${id}-props`}
          type="text"
          className="wm-code"
          value={row.properties}
          placeholder="{}"
          onChange={(e) => onChange({ ...row, properties: e.target.value })}
        />
      </div>
    </fieldset>
  );
}
