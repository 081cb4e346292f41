import type { PreparedJourney, PreparedNode } from '../compiler/validate.ts';
import { evaluateCondition } from '../conditions/evaluate.ts';
import { WaymarkError } from '../errors.ts';
import { hashString } from '../random/random.ts';
import type { JourneyContact } from '../schema/definition.ts';
import { approvalDecidedEvent, effectResultEvent } from '../sdk/effects.ts';
import { defaultNodeRetryPolicy, isRetryable, resolveRetryPolicy, retryDelayMs } from '../sdk/retry.ts';
import type { EnrolInput, NodeResult, RuntimeEvent, Wake } from '../sdk/types.ts';
import { parseDuration, subtractDuration } from '../time/duration.ts';
import { contactTimeZone, ExecutionContext } from './context.ts';
import type {
  AdvanceContext,
  AdvanceError,
  AdvanceInput,
  AdvanceResult,
  ContactJourneyState,
  EffectRequest,
  RunState,
  Step,
} from './state.ts';
import { emptyState } from './state.ts';

const noHistory: readonly RuntimeEvent[] = Object.freeze([]);

/** run:node:visit, plus the retry number when a failed step is tried again (a retry is new work). */
function effectKey(run: RunState): string {
  const base = `${run.id}:${run.node}:${run.seq}`;
  return run.failed ? `${base}:retry${run.failed.attempts}` : base;
}

/** Mutable working set of one advance; the caller's state is never modified. */
class Advance {
  readonly steps: Step[] = [];
  readonly effects: EffectRequest[] = [];
  readonly errors: AdvanceError[] = [];
  readonly state: ContactJourneyState;
  contact: JourneyContact;
  readonly timezone: string;

  constructor(
    readonly journey: PreparedJourney,
    state: ContactJourneyState,
    readonly ctx: AdvanceContext,
  ) {
    this.state = {
      runs: state.runs.slice(),
      entries: state.entries,
      emailsSent: this.recentEmails(state.emailsSent),
    };
    if (state.lastExitAt !== undefined) this.state.lastExitAt = state.lastExitAt;
    this.contact = ctx.contact;
    this.timezone = contactTimeZone(ctx.contact, journey.definition.settings);
  }

  private recentEmails(sent: readonly number[]): number[] {
    const cap = this.journey.definition.settings.frequencyCap;
    const per = cap ? parseDuration(cap.per) : null;
    if (!per) return [];
    const since = subtractDuration(
      this.ctx.now,
      per,
      contactTimeZone(this.ctx.contact, this.journey.definition.settings),
    );
    return sent.filter((t) => t > since);
  }

  /** Replaces a run in the state with its updated copy (or removes it). */
  private put(run: RunState, next: RunState | null) {
    const i = this.state.runs.indexOf(run);
    if (next === null) this.state.runs.splice(i, 1);
    else this.state.runs[i] = next;
  }

  private exit(run: RunState, step: Step, how: 'completed' | 'goal') {
    step.exit = how;
    this.steps.push(step);
    this.state.lastExitAt = this.ctx.now;
    this.put(run, null);
  }

  /** Executes the run's node with `wake` and keeps going until the run waits, fails or exits. */
  drive(original: RunState, firstWake: Wake) {
    const run: RunState = { ...original };
    this.put(original, run);
    const now = this.ctx.now;
    const limit = this.ctx.maxSteps ?? this.journey.nodes.size + 1;
    let wake = firstWake;
    for (let visits = 0; ; visits++) {
      const prepared = this.journey.nodes.get(run.node);
      if (!prepared) {
        this.errors.push({
          code: 'node_not_found',
          message: `run is at unknown node "${run.node}"`,
          runId: run.id,
          nodeId: run.node,
        });
        this.put(run, null);
        return;
      }
      if (visits >= limit) {
        const message = `stopped after ${limit} steps without waiting; the journey loops`;
        this.steps.push({
          at: now,
          runId: run.id,
          node: run.node,
          type: prepared.node.type,
          error: { code: 'runaway_loop', message },
        });
        this.state.lastExitAt = now;
        this.put(run, null);
        return;
      }
      let result: NodeResult;
      try {
        result = prepared.nodeType.execute(this.context(prepared, run, wake), prepared.config);
      } catch (e) {
        this.fail(run, prepared, wake, e);
        return;
      }
      if ('wait' in result) {
        if (result.effect) {
          run.pending = result.effect;
          this.effects.push({
            runId: run.id,
            node: run.node,
            key: effectKey(run),
            effect: result.effect,
          });
        }
        if (result.wait.until !== undefined) run.wakeAt = result.wait.until;
        else delete run.wakeAt;
        if (result.wait.event) run.awaiting = result.wait.event;
        else delete run.awaiting;
        delete run.failed;
        return;
      }
      const step: Step = { at: now, runId: run.id, node: run.node, type: prepared.node.type };
      if ('exit' in result) {
        this.exit(run, step, 'completed');
        return;
      }
      if (result.go !== 'next') step.port = result.go;
      const effect = result.effect ?? run.pending;
      if (effect) step.effect = effect;
      if (result.skipped) step.skipped = result.skipped;
      if (result.effect) this.perform(run, result.effect);
      if (result.output !== undefined)
        run.outputs = { ...run.outputs, [run.node]: { type: prepared.node.type, value: result.output } };
      delete run.pending;
      delete run.wakeAt;
      delete run.awaiting;
      delete run.failed;
      const target = prepared.out.get(result.go);
      if (target === undefined) {
        this.exit(run, step, 'completed');
        return;
      }
      this.steps.push(step);
      run.node = target;
      run.enteredAt = now;
      run.seq += 1;
      wake = { kind: 'enter' };
    }
  }

  private perform(run: RunState, effect: NonNullable<Step['effect']>) {
    this.effects.push({ runId: run.id, node: run.node, key: effectKey(run), effect });
    if (effect.kind === 'email') {
      if (this.journey.definition.settings.frequencyCap) this.state.emailsSent.push(this.ctx.now);
    } else if (effect.kind === 'updateContact') {
      const attributes = { ...this.contact.attributes, ...effect.set };
      for (const key of effect.unset ?? []) delete attributes[key];
      this.contact = { ...this.contact, attributes };
    }
  }

  /**
   * Records a failed step. A temporary failure (a `RetryableError`, or `node_timeout`) holds the run at
   * the node until `retryAt`, per the node type's retry policy; a permanent one, or the last allowed
   * attempt, ends the run there. Either way only this run is affected.
   */
  private fail(run: RunState, prepared: PreparedNode, wake: Wake, e: unknown) {
    const temporary = isRetryable(e) || (e instanceof WaymarkError && e.code === 'node_timeout');
    const ownCode = (e as { code?: unknown } | null)?.code;
    const code =
      e instanceof WaymarkError
        ? e.code
        : temporary && typeof ownCode === 'string' && /^[a-z][a-z0-9_]*$/.test(ownCode)
          ? ownCode
          : 'node_failed';
    const message = e instanceof Error ? e.message : String(e);
    const error: NonNullable<Step['error']> = { code, message };
    this.steps.push({ at: this.ctx.now, runId: run.id, node: run.node, type: prepared.node.type, error });
    // A bad event leaves the run waiting as it was.
    if (wake.kind === 'event' && wake.event.event !== effectResultEvent) return;
    const attempt = (run.failed?.attempts ?? 0) + 1;
    error.attempt = attempt;
    const policy = resolveRetryPolicy(prepared.nodeType.retry, defaultNodeRetryPolicy);
    if (temporary && attempt < policy.maxAttempts) {
      // Jitter from the run, node and attempt: reproducible, yet spread over the contacts that failed together.
      const jitter = hashString(`${this.ctx.seed ?? 0}:${run.id}:${run.node}:${attempt}`) / 2 ** 32;
      const retryAt = this.ctx.now + retryDelayMs(policy, attempt, jitter);
      error.retryAt = retryAt;
      run.failed = { code, message, at: this.ctx.now, attempts: attempt, retryAt };
      delete run.wakeAt;
      delete run.awaiting;
      return;
    }
    if (temporary) error.message = `${message} (gave up after ${attempt} attempt${attempt === 1 ? '' : 's'})`;
    this.state.lastExitAt = this.ctx.now;
    this.put(run, null);
  }

  private context(prepared: PreparedNode, run: RunState, wake: Wake): ExecutionContext {
    return new ExecutionContext(
      this.journey,
      prepared,
      run,
      wake,
      this.ctx.now,
      this.contact,
      this.timezone,
      this.ctx.history ?? noHistory,
      this.state.emailsSent,
      this.ctx.stats,
      this.ctx.seed ?? 0,
    );
  }

  enrol(input: EnrolInput, only?: string) {
    const reEntry = this.journey.definition.settings.reEntry ?? 'never';
    if (reEntry === 'never' && this.state.entries > 0) return;
    if (reEntry === 'afterExit' && this.state.runs.length > 0) return;
    const evaluate = (c: Parameters<ExecutionContext['evaluate']>[0]) =>
      evaluateCondition(c, {
        attributes: this.contact.attributes,
        history: this.ctx.history ?? noHistory,
        now: this.ctx.now,
        zone: this.timezone,
      });
    for (const trigger of this.journey.triggers) {
      if (only !== undefined && trigger.node.id !== only) continue;
      let enrols: boolean;
      try {
        enrols = trigger.nodeType.enrols?.(trigger.config, input, { now: this.ctx.now, evaluate }) ?? false;
      } catch (e) {
        // A package trigger that throws (or is stopped at its time limit) enrols no one; other triggers still may.
        this.errors.push({
          code: e instanceof WaymarkError && e.code === 'node_timeout' ? 'node_timeout' : 'node_failed',
          message: `${trigger.node.type} could not decide whether to enrol: ${e instanceof Error ? e.message : String(e)}`,
          nodeId: trigger.node.id,
        });
        continue;
      }
      if (!enrols) continue;
      const entry = this.state.entries + 1;
      const run: RunState = {
        id: this.ctx.newRunId?.(entry) ?? `${this.contact.id}:${entry}`,
        node: trigger.node.id,
        startedAt: this.ctx.now,
        enteredAt: this.ctx.now,
        seq: 0,
        outputs: {},
      };
      if (input.kind === 'event') run.trigger = input.event;
      this.state.entries = entry;
      this.state.runs.push(run);
      this.drive(run, { kind: 'enter' });
      return;
    }
  }

  event(event: RuntimeEvent) {
    const exitOn = this.journey.definition.settings.exitOn ?? [];
    const goal = exitOn.some(
      (g) =>
        g.event === event.event &&
        (g.where === undefined || evaluateCondition(g.where, { attributes: event.properties, now: this.ctx.now })),
    );
    let resumed = false;
    for (const run of this.state.runs.slice()) {
      const prepared = this.journey.nodes.get(run.node);
      if (goal) {
        this.exit(
          run,
          { at: this.ctx.now, runId: run.id, node: run.node, type: prepared?.node.type ?? 'unknown' },
          'goal',
        );
        continue;
      }
      const a = run.awaiting;
      if (!a || a.name !== event.event) continue;
      if (a.forThisNode && event.properties.node !== run.node) continue;
      if (typeof event.properties.run === 'string' && event.properties.run !== run.id) continue;
      if (a.where && !evaluateCondition(a.where, { attributes: event.properties, now: this.ctx.now })) continue;
      resumed = true;
      this.drive(run, { kind: 'event', event });
    }
    if (!resumed && !goal && (event.event === approvalDecidedEvent || event.event === effectResultEvent)) {
      const node = typeof event.properties.node === 'string' ? event.properties.node : '(no node)';
      this.errors.push({
        code: 'event_not_awaited',
        message: `${event.event} for node "${node}", which no run of this contact is waiting at`,
        nodeId: node,
      });
      return;
    }
    this.enrol({ kind: 'event', event });
  }

  timer() {
    for (const run of this.state.runs.slice())
      if (run.wakeAt !== undefined && run.wakeAt <= this.ctx.now) this.drive(run, { kind: 'timer' });
      else if (run.failed && (run.failed.retryAt === undefined || run.failed.retryAt <= this.ctx.now))
        this.drive(run, run.awaiting || run.wakeAt !== undefined ? { kind: 'timer' } : { kind: 'enter' });
  }

  result(): AdvanceResult {
    let wakeAt: number | undefined;
    for (const run of this.state.runs)
      if (run.wakeAt !== undefined && (wakeAt === undefined || run.wakeAt < wakeAt)) wakeAt = run.wakeAt;
    return {
      state: this.state,
      steps: this.steps,
      effects: this.effects,
      errors: this.errors,
      contact: this.contact,
      wakeAt,
      done: this.state.runs.length === 0,
    };
  }
}

/**
 * Advances one contact through a journey: enrols it, resumes its waiting runs, or ends them, and
 * returns the steps taken, the effects to perform and when to wake it next. Pure: no clock, no I/O.
 *
 * @example
 * const r = advance(journey, undefined, { kind: 'event', event: { event: 'cart_abandoned', at: now, properties: {} } }, { now, contact });
 * // r.steps, r.effects, r.wakeAt, r.state (store it for the next call)
 */
export function advance(
  journey: PreparedJourney,
  state: ContactJourneyState | undefined,
  input: AdvanceInput,
  ctx: AdvanceContext,
): AdvanceResult {
  const a = new Advance(journey, state ?? emptyState(), ctx);
  switch (input.kind) {
    case 'event':
      a.event(input.event);
      break;
    case 'timer':
      a.timer();
      break;
    case 'manual':
      a.enrol({ kind: 'manual' }, input.node);
      break;
    case 'date':
      a.enrol({ kind: 'date', at: ctx.now }, input.node);
      break;
    default: {
      const never: never = input;
      throw new WaymarkError('invalid_input', `unknown input kind ${JSON.stringify(never)}`);
    }
  }
  return a.result();
}
