import type { Condition } from '@waymark/nodes';
import { Plus, X } from 'lucide-react';
import { createContext, type ReactNode, useContext, useEffect, useId, useMemo, useRef, useState } from 'react';
import { SegmentInput } from '../../segments/segment-input.tsx';
import { format, useStrings } from '../../strings.ts';
import { TemplateInput } from '../../templates/template-input.tsx';
import { ConditionBuilder } from './condition-builder.tsx';
import { parseValue, showValue } from './condition-model.ts';
import { DurationInput, RequiredMark } from './duration-input.tsx';
import {
  hasWidget,
  initialValue,
  type JsonSchema,
  newArrayItem,
  type PortKeys,
  resolveSchema,
  titleOf,
  typeOf,
} from './json-schema.ts';
import { acceptsMergeTags, MergeTagButton } from './merge-tag-button.tsx';

/** A problem located by a path inside the form's value (a node's config path). */
export interface FieldProblem {
  path?: readonly (string | number)[] | undefined;
  message: string;
}

/** Props of {@link SchemaForm}. */
export interface SchemaFormProps {
  /** An object JSON Schema, e.g. a node type's `configSchema`; its `$defs` resolve `$ref`s. */
  schema: JsonSchema;
  value: Record<string, unknown> | undefined;
  onChange: (value: Record<string, unknown>) => void;
  /** Problems to show beside the fields they name. */
  problems?: readonly FieldProblem[];
  /** A node type's port list, so new items get unique port ids. */
  ports?: PortKeys | undefined;
  disabled?: boolean;
}

interface FormContext {
  root: JsonSchema;
  problems: ReadonlyMap<string, string[]>;
  ports: PortKeys | undefined;
}

const Ctx = createContext<FormContext>({ root: {}, problems: new Map(), ports: undefined });

const pathKey = (path: readonly (string | number)[]) => path.join('.');

/**
 * A form generated from a JSON Schema: text, numbers, choices, switches, lists of objects, key/value
 * maps, and the editor's widgets for `format: duration`, `format: time-of-day` and the
 * `x-waymark-widget`s `condition`, `template` and `merge-text` (with a merge-tag picker, as
 * fields marked `x-waymark-merge-tags` get). Custom node types get forms from
 * their config schema without editor code.
 */
export function SchemaForm({ schema, value, onChange, problems = [], ports, disabled }: SchemaFormProps) {
  const ctx = useMemo<FormContext>(() => {
    const map = new Map<string, string[]>();
    for (const p of problems) {
      const key = pathKey(p.path ?? []);
      map.set(key, [...(map.get(key) ?? []), p.message]);
    }
    return { root: schema, problems: map, ports };
  }, [schema, problems, ports]);
  const root = resolveSchema(schema, schema);
  return (
    <Ctx.Provider value={ctx}>
      <fieldset className="wm-form" disabled={disabled}>
        <ObjectFields schema={root} path={[]} value={value ?? {}} onChange={onChange} />
      </fieldset>
    </Ctx.Provider>
  );
}

function ObjectFields(props: {
  schema: JsonSchema;
  path: (string | number)[];
  value: Record<string, unknown>;
  onChange: (v: Record<string, unknown>) => void;
}) {
  const { schema, path, value, onChange } = props;
  const required = new Set(schema.required ?? []);
  return (
    <>
      {Object.entries(schema.properties ?? {}).map(([key, prop]) => (
        <Field
          key={key}
          name={key}
          schema={prop}
          path={[...path, key]}
          required={required.has(key)}
          value={value[key]}
          onChange={(v) => {
            const next = { ...value };
            if (v === undefined) delete next[key];
            else next[key] = v;
            onChange(next);
          }}
        />
      ))}
    </>
  );
}

interface FieldProps {
  name: string;
  schema: JsonSchema;
  path: (string | number)[];
  required: boolean;
  value: unknown;
  onChange: (v: unknown) => void;
  /** Overrides the label derived from the schema (array items). */
  label?: string;
}

function useProblems(path: (string | number)[], prefix = false): string[] {
  const { problems } = useContext(Ctx);
  const key = pathKey(path);
  if (!prefix) return problems.get(key) ?? [];
  const out: string[] = [];
  for (const [k, messages] of problems) if (k === key || k.startsWith(`${key}.`)) out.push(...messages);
  return out;
}

function Errors({ id, messages }: { id: string; messages: string[] }) {
  if (messages.length === 0) return null;
  return (
    <ul id={id} className="wm-field-error">
      {messages.map((m) => (
        <li key={m}>{m}</li>
      ))}
    </ul>
  );
}

function Shell(props: {
  id: string;
  label: string;
  required: boolean;
  description: string | undefined;
  errors: string[];
  children: (a: { describedBy: string | undefined; invalid: boolean }) => ReactNode;
}) {
  const errId = `${props.id}-err`;
  const descId = `${props.id}-desc`;
  const describedBy =
    [props.errors.length > 0 ? errId : '', props.description ? descId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className="wm-field">
      <label htmlFor={props.id}>
        {props.label}
        {props.required && <RequiredMark />}
      </label>
      {props.children({ describedBy, invalid: props.errors.length > 0 })}
      {props.description && (
        <p id={descId} className="wm-hint">
          {props.description}
        </p>
      )}
      <Errors id={errId} messages={props.errors} />
    </div>
  );
}

function Field(props: FieldProps) {
  const { root } = useContext(Ctx);
  const s = resolveSchema(props.schema, root);
  const label = props.label ?? titleOf(s, props.name);
  const type = typeOf(s);
  if (hasWidget(props.schema, root, 'condition')) return <ConditionField {...props} label={label} />;
  if (s.enum) return <EnumField {...props} schema={s} label={label} />;
  if (type === 'string') return <StringField {...props} schema={s} label={label} />;
  if (type === 'number' || type === 'integer') return <NumberField {...props} schema={s} label={label} />;
  if (type === 'boolean') return <BooleanField {...props} schema={s} label={label} />;
  if (type === 'array') return <ArrayField {...props} schema={s} label={label} />;
  if (type === 'object' && s.properties) return <ObjectField {...props} schema={s} label={label} />;
  if (type === 'object') return <RecordField {...props} schema={s} label={label} />;
  return <JsonField {...props} schema={s} label={label} />;
}

type ResolvedFieldProps = FieldProps & { label: string };

function ConditionField({ schema, path, value, onChange, label }: ResolvedFieldProps) {
  const { root } = useContext(Ctx);
  const errors = useProblems(path, true);
  const errId = useId();
  // A filter on an event's properties (`x-waymark-scope: event`) names properties and counts no events.
  const scope = resolveSchema(schema, root)['x-waymark-scope'] === 'event' ? 'event' : 'contact';
  return (
    <div className="wm-field">
      <ConditionBuilder
        label={label}
        scope={scope}
        value={value as Condition | undefined}
        onChange={onChange}
        describedBy={errors.length > 0 ? errId : undefined}
      />
      <Errors id={errId} messages={errors} />
    </div>
  );
}

function EnumField({ schema, path, value, onChange, label, required }: ResolvedFieldProps) {
  const strings = useStrings();
  const id = useId();
  const errors = useProblems(path);
  const options = schema.enum ?? [];
  const current = value === undefined ? schema.default : value;
  const index = options.indexOf(current);
  return (
    <Shell id={id} label={label} required={required} description={schema.description} errors={errors}>
      {({ describedBy, invalid }) => (
        <select
          id={id}
          value={index < 0 ? '' : String(index)}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          aria-required={required || undefined}
          onChange={(e) => onChange(e.target.value === '' ? undefined : options[Number(e.target.value)])}
        >
          {(index < 0 || (!required && schema.default === undefined)) && <option value="">{strings.notSet}</option>}
          {options.map((o, i) => (
            <option key={String(o)} value={String(i)}>
              {String(o)}
            </option>
          ))}
        </select>
      )}
    </Shell>
  );
}

let timeZones: string[] | undefined;
function allTimeZones(): string[] {
  if (!timeZones) {
    try {
      timeZones = Intl.supportedValuesOf('timeZone');
    } catch {
      timeZones = [];
    }
  }
  return timeZones;
}

function StringField({ schema, path, value, onChange, label, required }: ResolvedFieldProps) {
  const { root } = useContext(Ctx);
  const id = useId();
  const listId = useId();
  const errors = useProblems(path);
  const text = typeof value === 'string' ? value : '';
  const set = (v: string) => onChange(v === '' ? undefined : v);
  const inputRef = useRef<HTMLInputElement>(null);
  const areaRef = useRef<HTMLTextAreaElement>(null);
  const mergeTags = acceptsMergeTags(schema, root);
  if (schema.format === 'duration')
    return (
      <div className="wm-field">
        <DurationInput
          label={label}
          value={typeof value === 'string' ? value : undefined}
          onChange={onChange}
          allowNegative={schema['x-waymark-negative'] === true}
          required={required}
          invalid={errors.length > 0}
          describedBy={errors.length > 0 ? `${id}-err` : undefined}
        />
        <Errors id={`${id}-err`} messages={errors} />
      </div>
    );
  return (
    <Shell id={id} label={label} required={required} description={schema.description} errors={errors}>
      {({ describedBy, invalid }) => {
        const common = {
          id,
          'aria-describedby': describedBy,
          'aria-invalid': invalid || undefined,
          'aria-required': required || undefined,
        };
        if (hasWidget(schema, root, 'template'))
          return <TemplateInput {...common} value={text} onChange={(v) => set(v)} />;
        if (hasWidget(schema, root, 'segment'))
          return <SegmentInput {...common} value={text} onChange={(v) => set(v)} />;
        if (hasWidget(schema, root, 'merge-text') || (schema.maxLength ?? 0) > 1000)
          return (
            <>
              <textarea {...common} ref={areaRef} rows={4} value={text} onChange={(e) => set(e.target.value)} />
              {mergeTags && <MergeTagButton target={areaRef} value={text} onChange={set} fieldLabel={label} />}
            </>
          );
        if (schema.format === 'time-of-day')
          return <input {...common} type="time" value={text} onChange={(e) => set(e.target.value)} />;
        if (schema.format === 'time-zone')
          return (
            <>
              <input
                {...common}
                type="text"
                list={listId}
                value={text}
                placeholder="Europe/Warsaw"
                onChange={(e) => set(e.target.value)}
              />
              <datalist id={listId}>
                {allTimeZones().map((z) => (
                  <option key={z} value={z} />
                ))}
              </datalist>
            </>
          );
        return (
          <>
            <input
              {...common}
              ref={inputRef}
              type={schema.format === 'uri' ? 'url' : schema.format === 'email' ? 'email' : 'text'}
              value={text}
              maxLength={schema.maxLength}
              placeholder={typeof schema.examples?.[0] === 'string' ? schema.examples[0] : undefined}
              onChange={(e) => set(e.target.value)}
            />
            {mergeTags && <MergeTagButton target={inputRef} value={text} onChange={set} fieldLabel={label} />}
          </>
        );
      }}
    </Shell>
  );
}

function NumberField({ schema, path, value, onChange, label, required }: ResolvedFieldProps) {
  const id = useId();
  const errors = useProblems(path);
  const [text, setText] = useState(typeof value === 'number' ? String(value) : '');
  useEffect(() => {
    setText((old) =>
      old.trim() !== '' && Number(old) === value ? old : typeof value === 'number' ? String(value) : '',
    );
  }, [value]);
  const integer = typeOf(schema) === 'integer';
  return (
    <Shell id={id} label={label} required={required} description={schema.description} errors={errors}>
      {({ describedBy, invalid }) => (
        <input
          id={id}
          type="number"
          value={text}
          min={schema.minimum}
          max={schema.maximum}
          step={integer ? 1 : 'any'}
          placeholder={typeof schema.default === 'number' ? String(schema.default) : undefined}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          aria-required={required || undefined}
          onChange={(e) => {
            setText(e.target.value);
            const n = Number(e.target.value);
            if (e.target.value.trim() === '') onChange(undefined);
            else if (Number.isFinite(n)) onChange(integer ? Math.trunc(n) : n);
          }}
        />
      )}
    </Shell>
  );
}

function BooleanField({ schema, path, value, onChange, label }: ResolvedFieldProps) {
  const id = useId();
  const errors = useProblems(path);
  const checked = value === undefined ? schema.default === true : value === true;
  return (
    <div className="wm-field wm-check">
      <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      <label htmlFor={id}>{label}</label>
      <Errors id={`${id}-err`} messages={errors} />
    </div>
  );
}

/** "Branches" → "Branch", "Variants" → "Variant": item legends read better in the singular. */
function singular(title: string): string {
  if (/(ch|sh|x|ss)es$/i.test(title)) return title.slice(0, -2);
  if (/ies$/i.test(title)) return `${title.slice(0, -3)}y`;
  if (/[^s]s$/i.test(title)) return title.slice(0, -1);
  return title;
}

function ArrayField(props: ResolvedFieldProps) {
  const { schema, path, value, onChange, label, required, name } = props;
  const { root, ports } = useContext(Ctx);
  const strings = useStrings();
  const errors = useProblems(path);
  const id = useId();
  const items = Array.isArray(value) ? value : [];
  const itemSchema = resolveSchema(schema.items ?? {}, root);
  const itemTitle = singular(label);
  const canAdd = schema.maxItems === undefined || items.length < schema.maxItems;
  const canRemove = items.length > (schema.minItems ?? 0);
  const set = (next: unknown[]) => onChange(next.length === 0 && !required ? undefined : next);

  if (itemSchema.enum) {
    const options = itemSchema.enum;
    return (
      <fieldset className="wm-field wm-choices">
        <legend>
          {label}
          {required && <RequiredMark />}
        </legend>
        <div className="wm-row wm-wrap">
          {options.map((o, i) => (
            <span className="wm-check" key={String(o)}>
              <input
                id={`${id}-${i}`}
                type="checkbox"
                checked={items.includes(o)}
                onChange={(e) =>
                  set(
                    e.target.checked
                      ? options.filter((x) => x === o || items.includes(x))
                      : items.filter((x) => x !== o),
                  )
                }
              />
              <label htmlFor={`${id}-${i}`}>{String(o)}</label>
            </span>
          ))}
        </div>
        <Errors id={`${id}-err`} messages={errors} />
      </fieldset>
    );
  }

  const isObject = typeOf(itemSchema) === 'object';
  const idKey = ports && ports.array === name && path.length === 1 ? ports.idKey : undefined;
  return (
    <fieldset className="wm-field wm-array">
      <legend>
        {label}
        {required && <RequiredMark />}
      </legend>
      {items.map((item, i) => {
        const n = i + 1;
        const remove = (
          <button
            key="remove"
            type="button"
            className="wm-icon-button"
            disabled={!canRemove}
            aria-label={format(strings.removeItem, { title: itemTitle, n })}
            title={format(strings.removeItem, { title: itemTitle, n })}
            onClick={() => set(items.filter((_, j) => j !== i))}
          >
            <X aria-hidden size={14} />
          </button>
        );
        const setItem = (v: unknown) => set(items.map((x, j) => (j === i ? (v ?? (isObject ? {} : '')) : x)));
        return isObject ? (
          // Items have no identity beyond their position.
          // biome-ignore lint/suspicious/noArrayIndexKey: see above
          <fieldset className="wm-item" key={i}>
            <legend>
              {itemTitle} {n}
            </legend>
            {remove}
            <ObjectFields
              schema={itemSchema}
              path={[...path, i]}
              value={(item ?? {}) as Record<string, unknown>}
              onChange={setItem}
            />
          </fieldset>
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: see above
          <div className="wm-row wm-item-row" key={i}>
            <Field
              name={String(i)}
              schema={itemSchema}
              path={[...path, i]}
              required
              value={item}
              label={`${itemTitle} ${n}`}
              onChange={setItem}
            />
            {remove}
          </div>
        );
      })}
      <button
        type="button"
        className="wm-button wm-small"
        disabled={!canAdd}
        onClick={() => set([...items, newArrayItem(itemSchema, root, items, idKey)])}
      >
        <Plus aria-hidden size={14} /> {format(strings.addItem, { title: itemTitle.toLowerCase() })}
      </button>
      <Errors id={`${id}-err`} messages={errors} />
    </fieldset>
  );
}

function ObjectField({ schema, path, value, onChange, label, required }: ResolvedFieldProps) {
  const { root } = useContext(Ctx);
  const errors = useProblems(path);
  const id = useId();
  const present = value !== null && typeof value === 'object' && !Array.isArray(value);
  const obj = present ? (value as Record<string, unknown>) : {};
  // An optional group (quiet hours, a frequency cap) is switched on as a whole, so its required
  // fields are asked for only when it is used.
  const toggle = !required && (schema.required?.length ?? 0) > 0;
  return (
    <fieldset className="wm-field wm-object">
      {toggle ? (
        <legend className="wm-check">
          <input
            id={id}
            type="checkbox"
            checked={present}
            onChange={(e) => onChange(e.target.checked ? (initialValue(schema, root) ?? {}) : undefined)}
          />
          <label htmlFor={id}>{label}</label>
        </legend>
      ) : (
        <legend>
          {label}
          {required && <RequiredMark />}
        </legend>
      )}
      {(!toggle || present) && (
        <ObjectFields
          schema={schema}
          path={path}
          value={obj}
          onChange={(v) => onChange(Object.keys(v).length === 0 && !required && !toggle ? undefined : v)}
        />
      )}
      <Errors id={`${id}-err`} messages={errors} />
    </fieldset>
  );
}

interface Entry {
  key: string;
  text: string;
}

function entriesOf(o: Record<string, unknown>, textValues: boolean): Entry[] {
  return Object.entries(o).map(([key, v]) => ({ key, text: textValues ? String(v ?? '') : showValue(v as never) }));
}

function objectOf(list: readonly Entry[], textValues: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const e of list) if (e.key.trim() !== '') out[e.key] = textValues ? e.text : parseValue(e.text);
  return out;
}

function RecordField({ schema, path, value, onChange, label, required }: ResolvedFieldProps) {
  const strings = useStrings();
  const errors = useProblems(path, true);
  const id = useId();
  const valueSchema = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : {};
  const textValues = typeOf(valueSchema) === 'string';
  const obj = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const [entries, setEntries] = useState<Entry[]>(() => entriesOf(obj, textValues));
  const valueJson = JSON.stringify(obj);
  useEffect(() => {
    setEntries((old) =>
      JSON.stringify(objectOf(old, textValues)) === valueJson
        ? old
        : entriesOf(JSON.parse(valueJson) as Record<string, unknown>, textValues),
    );
  }, [valueJson, textValues]);
  const update = (list: Entry[]) => {
    setEntries(list);
    const built = objectOf(list, textValues);
    onChange(Object.keys(built).length === 0 && !required ? undefined : built);
  };
  return (
    <fieldset className="wm-field wm-record">
      <legend>
        {label}
        {required && <RequiredMark />}
      </legend>
      {entries.map((e, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: entries are edited in place; their key text changes
        <div className="wm-row wm-item-row" key={i}>
          <input
            type="text"
            aria-label={`${label}: ${strings.key} ${i + 1}`}
            placeholder={strings.key}
            value={e.key}
            onChange={(ev) => update(entries.map((x, j) => (j === i ? { ...x, key: ev.target.value } : x)))}
          />
          <input
            type="text"
            aria-label={`${label}: ${strings.value} ${i + 1}`}
            placeholder={strings.value}
            value={e.text}
            onChange={(ev) => update(entries.map((x, j) => (j === i ? { ...x, text: ev.target.value } : x)))}
          />
          <button
            type="button"
            className="wm-icon-button"
            aria-label={format(strings.removeItem, { title: label, n: i + 1 })}
            onClick={() => update(entries.filter((_, j) => j !== i))}
          >
            <X aria-hidden size={14} />
          </button>
        </div>
      ))}
      <button
        type="button"
        className="wm-button wm-small"
        onClick={() => setEntries([...entries, { key: '', text: '' }])}
      >
        <Plus aria-hidden size={14} /> {strings.addEntry}
      </button>
      <Errors id={`${id}-err`} messages={errors} />
    </fieldset>
  );
}

function JsonField({ schema, path, value, onChange, label, required }: ResolvedFieldProps) {
  const strings = useStrings();
  const id = useId();
  const errors = useProblems(path, true);
  const [text, setText] = useState(value === undefined ? '' : JSON.stringify(value, null, 2));
  const [bad, setBad] = useState(false);
  return (
    <Shell
      id={id}
      label={label}
      required={required}
      description={schema.description}
      errors={bad ? [strings.invalidJson, ...errors] : errors}
    >
      {({ describedBy, invalid }) => (
        <textarea
          id={id}
          rows={4}
          className="wm-code"
          value={text}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          onChange={(e) => {
            setText(e.target.value);
            if (e.target.value.trim() === '') {
              setBad(false);
              onChange(undefined);
              return;
            }
            try {
              onChange(JSON.parse(e.target.value));
              setBad(false);
            } catch {
              setBad(true);
            }
          }}
        />
      )}
    </Shell>
  );
}
