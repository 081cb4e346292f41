import { type ComparisonOp, type Condition, comparisonOps, type EventCondition } from '@waymark/nodes';
import { Plus, X } from 'lucide-react';
import { useEffect, useId, useState } from 'react';
import { format, type Strings, useStrings } from '../../strings.ts';
import {
  type AttributeRule,
  fromRootGroup,
  type Group,
  groupParts,
  isNot,
  kindOf,
  makeGroup,
  parseList,
  parseValue,
  type RuleKind,
  rootGroup,
  showValue,
} from './condition-model.ts';
import { DurationInput } from './duration-input.tsx';

/** Props of {@link ConditionBuilder}. */
export interface ConditionBuilderProps {
  label: string;
  value: Condition | undefined;
  onChange: (value: Condition | undefined) => void;
  /** `event` inside an event rule's filter: rules then name event properties, and event rules are not offered. */
  scope?: 'contact' | 'event';
  disabled?: boolean;
  describedBy?: string | undefined;
}

const countOps = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte'] as const;
type CountOp = (typeof countOps)[number];

function blankRule(kind: RuleKind): Condition {
  switch (kind) {
    case 'attribute':
      return { attribute: '', op: 'eq', value: '' };
    case 'event':
      return { event: '' };
    case 'group':
      return { any: [{ attribute: '', op: 'eq', value: '' }] };
    case 'custom':
      return { all: [] };
  }
}

/**
 * Edits a condition of the journey language: a group matching all or any of its rules, where a rule
 * compares a contact attribute, counts events (optionally within a window and filtered on event
 * properties), or is a nested group; any rule can be negated.
 */
export function ConditionBuilder({
  label,
  value,
  onChange,
  scope = 'contact',
  disabled,
  describedBy,
}: ConditionBuilderProps) {
  return (
    <fieldset className="wm-condition" aria-describedby={describedBy} disabled={disabled}>
      <legend>{label}</legend>
      <GroupEditor group={rootGroup(value)} onChange={(g) => onChange(fromRootGroup(g))} scope={scope} depth={0} />
    </fieldset>
  );
}

function GroupEditor(props: { group: Group; onChange: (g: Group) => void; scope: 'contact' | 'event'; depth: number }) {
  const { group, onChange, scope, depth } = props;
  const s = useStrings();
  const id = useId();
  const { mode, rules } = groupParts(group);
  const setRules = (next: Condition[]) => onChange(makeGroup(mode, next));
  const add = (kind: RuleKind) => setRules([...rules, blankRule(kind)]);
  return (
    <div className="wm-group" data-depth={depth}>
      <div className="wm-group-mode">
        <label htmlFor={id}>{s.match}</label>
        <select id={id} value={mode} onChange={(e) => onChange(makeGroup(e.target.value as 'all' | 'any', rules))}>
          <option value="all">{s.matchAll}</option>
          <option value="any">{s.matchAny}</option>
        </select>
      </div>
      {rules.length === 0 && <p className="wm-muted">{s.noRules}</p>}
      <ol className="wm-rules">
        {rules.map((rule, i) => (
          // Rules have no identity of their own; their position is their key.
          // biome-ignore lint/suspicious/noArrayIndexKey: see above
          <li key={i}>
            <RuleRow
              rule={rule}
              n={i + 1}
              scope={scope}
              depth={depth}
              onChange={(r) => setRules(rules.map((x, j) => (j === i ? r : x)))}
              onRemove={() => setRules(rules.filter((_, j) => j !== i))}
            />
          </li>
        ))}
      </ol>
      <div className="wm-row wm-wrap">
        <button type="button" className="wm-button wm-small" onClick={() => add('attribute')}>
          <Plus aria-hidden size={14} /> {s.addAttributeRule}
        </button>
        {scope === 'contact' && (
          <button type="button" className="wm-button wm-small" onClick={() => add('event')}>
            <Plus aria-hidden size={14} /> {s.addEventRule}
          </button>
        )}
        {depth < 3 && (
          <button type="button" className="wm-button wm-small" onClick={() => add('group')}>
            <Plus aria-hidden size={14} /> {s.addGroup}
          </button>
        )}
      </div>
    </div>
  );
}

function kindLabel(s: Strings, kind: RuleKind): string {
  return { attribute: s.ruleAttribute, event: s.ruleEvent, group: s.ruleGroup, custom: s.ruleCustom }[kind];
}

function RuleRow(props: {
  rule: Condition;
  n: number;
  scope: 'contact' | 'event';
  depth: number;
  onChange: (c: Condition) => void;
  onRemove: () => void;
}) {
  const { rule, n, scope, depth, onChange, onRemove } = props;
  const s = useStrings();
  const kindId = useId();
  const notId = useId();
  const negated = isNot(rule);
  const inner = negated ? rule.not : rule;
  const kind = kindOf(inner);
  const set = (c: Condition) => onChange(negated ? { not: c } : c);
  const kinds: RuleKind[] = scope === 'contact' ? ['attribute', 'event', 'group'] : ['attribute', 'group'];
  if (!kinds.includes(kind)) kinds.push(kind);
  return (
    <fieldset className="wm-rule">
      <legend>{format(s.ruleN, { n })}</legend>
      <div className="wm-row">
        <label htmlFor={kindId} className="wm-visually-hidden">
          {s.ruleKind}
        </label>
        <select id={kindId} value={kind} onChange={(e) => set(blankRule(e.target.value as RuleKind))}>
          {kinds.map((k) => (
            <option key={k} value={k}>
              {kindLabel(s, k)}
            </option>
          ))}
        </select>
        <span className="wm-check">
          <input
            id={notId}
            type="checkbox"
            checked={negated}
            onChange={(e) => onChange(e.target.checked ? { not: inner } : inner)}
          />
          <label htmlFor={notId}>{s.negate}</label>
        </span>
        <button
          type="button"
          className="wm-icon-button"
          aria-label={format(s.removeRule, { n })}
          title={format(s.removeRule, { n })}
          onClick={onRemove}
        >
          <X aria-hidden size={14} />
        </button>
      </div>
      {kind === 'attribute' && <AttributeRuleEditor rule={inner as AttributeRule} onChange={set} scope={scope} />}
      {kind === 'event' && <EventRuleEditor rule={inner as EventCondition} onChange={set} />}
      {kind === 'group' && <GroupEditor group={inner as Group} onChange={set} scope={scope} depth={depth + 1} />}
      {kind === 'custom' && <JsonRuleEditor rule={inner} onChange={set} />}
    </fieldset>
  );
}

type OpChoice = ComparisonOp | 'notExists';

function AttributeRuleEditor(props: {
  rule: AttributeRule;
  onChange: (c: Condition) => void;
  scope: 'contact' | 'event';
}) {
  const { rule, onChange, scope } = props;
  const s = useStrings();
  const attrId = useId();
  const opId = useId();
  const valueId = useId();
  const choice: OpChoice = rule.op === 'exists' && rule.value === false ? 'notExists' : rule.op;
  const [text, setText] = useState(showValue(rule.value));
  useEffect(() => {
    setText((old) => {
      const parsed = rule.op === 'in' ? parseList(old) : parseValue(old);
      return JSON.stringify(parsed) === JSON.stringify(rule.value) ? old : showValue(rule.value);
    });
  }, [rule.value, rule.op]);

  const withOp = (op: OpChoice): AttributeRule => {
    if (op === 'notExists') return { attribute: rule.attribute, op: 'exists', value: false };
    if (op === 'exists') return { attribute: rule.attribute, op: 'exists' };
    if (op === 'in') return { attribute: rule.attribute, op, value: parseList(text) };
    return { attribute: rule.attribute, op, value: parseValue(text) };
  };
  const ops: OpChoice[] = [...comparisonOps, 'notExists'];
  return (
    <div className="wm-rule-body">
      <div className="wm-field">
        <label htmlFor={attrId}>{scope === 'event' ? s.property : s.attribute}</label>
        <input
          id={attrId}
          type="text"
          value={rule.attribute}
          placeholder={scope === 'event' ? 'total' : 'plan'}
          onChange={(e) => onChange({ ...rule, attribute: e.target.value })}
        />
      </div>
      <div className="wm-field">
        <label htmlFor={opId}>{s.operator}</label>
        <select id={opId} value={choice} onChange={(e) => onChange(withOp(e.target.value as OpChoice))}>
          {ops.map((op) => (
            <option key={op} value={op}>
              {s[`op_${op}`]}
            </option>
          ))}
        </select>
      </div>
      {rule.op !== 'exists' && (
        <div className="wm-field">
          <label htmlFor={valueId}>{s.value}</label>
          <input
            id={valueId}
            type="text"
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              onChange({
                ...rule,
                value: rule.op === 'in' ? parseList(e.target.value) : parseValue(e.target.value),
              });
            }}
          />
        </div>
      )}
    </div>
  );
}

function EventRuleEditor(props: { rule: EventCondition; onChange: (c: Condition) => void }) {
  const { rule, onChange } = props;
  const s = useStrings();
  const eventId = useId();
  const opId = useId();
  const countId = useId();
  const count = rule.count ?? { op: 'gte', value: 1 };
  const set = (patch: Partial<EventCondition>) => {
    const next: Record<string, unknown> = { ...rule, ...patch };
    for (const k of Object.keys(next)) if (next[k] === undefined) delete next[k];
    onChange(next as unknown as EventCondition);
  };
  return (
    <div className="wm-rule-body">
      <div className="wm-field">
        <label htmlFor={eventId}>{s.eventName}</label>
        <input
          id={eventId}
          type="text"
          value={rule.event}
          placeholder="purchase"
          onChange={(e) => set({ event: e.target.value })}
        />
      </div>
      <div className="wm-field">
        <label htmlFor={opId}>{s.countOp}</label>
        <div className="wm-row wm-count-row">
          <select
            id={opId}
            value={count.op}
            onChange={(e) => set({ count: { op: e.target.value as CountOp, value: count.value } })}
          >
            {countOps.map((op) => (
              <option key={op} value={op}>
                {s[`cop_${op}`]}
              </option>
            ))}
          </select>
          <input
            id={countId}
            type="number"
            min={0}
            step={1}
            aria-label={s.count}
            value={count.value}
            onChange={(e) => {
              const v = Math.max(0, Math.trunc(Number(e.target.value) || 0));
              set({ count: { op: count.op, value: v } });
            }}
          />
        </div>
      </div>
      <DurationInput label={s.within} value={rule.within} onChange={(within) => set({ within })} />
      {rule.where === undefined ? (
        <button
          type="button"
          className="wm-button wm-small"
          onClick={() => set({ where: { attribute: '', op: 'eq', value: '' } })}
        >
          <Plus aria-hidden size={14} /> {s.addFilter}
        </button>
      ) : (
        <div className="wm-where">
          <ConditionBuilder label={s.addFilter} value={rule.where} scope="event" onChange={(where) => set({ where })} />
          <button type="button" className="wm-button wm-small" onClick={() => set({ where: undefined })}>
            <X aria-hidden size={14} /> {s.removeFilter}
          </button>
        </div>
      )}
    </div>
  );
}

function JsonRuleEditor(props: { rule: Condition; onChange: (c: Condition) => void }) {
  const s = useStrings();
  const id = useId();
  const [text, setText] = useState(JSON.stringify(props.rule, null, 2));
  const [error, setError] = useState(false);
  return (
    <div className="wm-field">
      <label htmlFor={id}>{s.ruleCustom}</label>
      <textarea
        id={id}
        rows={4}
        value={text}
        aria-invalid={error || undefined}
        onChange={(e) => {
          setText(e.target.value);
          try {
            props.onChange(JSON.parse(e.target.value) as Condition);
            setError(false);
          } catch {
            setError(true);
          }
        }}
      />
      {error && <p className="wm-field-error">{s.invalidJson}</p>}
    </div>
  );
}
