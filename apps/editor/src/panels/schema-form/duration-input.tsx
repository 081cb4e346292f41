import { useEffect, useId, useState } from 'react';
import { useStrings } from '../../strings.ts';
import { type DurationUnit, durationUnits, formatDuration, parseSimpleDuration } from './duration.ts';

/** Props of {@link DurationInput}. */
export interface DurationInputProps {
  /** Visible label; the amount input carries it, the unit select names it too. */
  label: string;
  value: string | undefined;
  onChange: (value: string | undefined) => void;
  /** Offer "before" as well as "after" (`x-waymark-negative`). */
  allowNegative?: boolean;
  disabled?: boolean;
  required?: boolean;
  describedBy?: string | undefined;
  invalid?: boolean;
}

/**
 * An ISO 8601 duration as a whole number and a unit (`PT1H` is 1 hours). Durations of several
 * units (`P1DT2H`) are shown as typed, in a text input, so nothing is lost.
 */
export function DurationInput(props: DurationInputProps) {
  const { label, value, onChange, allowNegative, disabled, required, describedBy, invalid } = props;
  const s = useStrings();
  const id = useId();
  const parsed = value === undefined ? null : parseSimpleDuration(value);
  const [unit, setUnit] = useState<DurationUnit>(parsed?.unit ?? 'hours');
  const [negative, setNegative] = useState(parsed?.negative ?? false);
  const [amount, setAmount] = useState(parsed ? String(parsed.amount) : '');

  useEffect(() => {
    if (value === undefined) return;
    const p = parseSimpleDuration(value);
    if (!p) return;
    setUnit(p.unit);
    setNegative(p.negative);
    setAmount((old) => (Number(old) === p.amount && old.trim() !== '' ? old : String(p.amount)));
  }, [value]);

  if (value !== undefined && value !== '' && !parsed)
    return (
      <div className="wm-duration">
        <label htmlFor={id}>
          {label}
          {required && <RequiredMark />}
        </label>
        <input
          id={id}
          type="text"
          value={value}
          disabled={disabled}
          placeholder="P1DT2H"
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          title={s.customDuration}
          onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
        />
      </div>
    );

  const emit = (text: string, u: DurationUnit, neg: boolean) => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n)) onChange(undefined);
    else onChange(formatDuration(n, u, neg));
  };

  return (
    <div className="wm-duration">
      <label htmlFor={id}>
        {label}
        {required && <RequiredMark />}
      </label>
      <div className="wm-duration-row">
        <input
          id={id}
          type="number"
          inputMode="numeric"
          min={0}
          step={1}
          value={amount}
          disabled={disabled}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          aria-required={required || undefined}
          onChange={(e) => {
            setAmount(e.target.value);
            emit(e.target.value, unit, negative);
          }}
        />
        <select
          aria-label={`${label} (${s.unit})`}
          value={unit}
          disabled={disabled}
          onChange={(e) => {
            const u = e.target.value as DurationUnit;
            setUnit(u);
            emit(amount, u, negative);
          }}
        >
          {durationUnits.map((u) => (
            <option key={u} value={u}>
              {s[`unit_${u}`]}
            </option>
          ))}
        </select>
        {allowNegative && (
          <select
            aria-label={`${label} (${s.direction})`}
            value={negative ? 'before' : 'after'}
            disabled={disabled}
            onChange={(e) => {
              const neg = e.target.value === 'before';
              setNegative(neg);
              emit(amount, unit, neg);
            }}
          >
            <option value="after">{s.after}</option>
            <option value="before">{s.before}</option>
          </select>
        )}
      </div>
    </div>
  );
}

/** The asterisk after a required field's label. */
export function RequiredMark() {
  return (
    <span className="wm-required" aria-hidden="true">
      {' *'}
    </span>
  );
}
