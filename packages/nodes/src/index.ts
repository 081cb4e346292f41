export {
  type CompileResult,
  compileGraph,
  definitionToGraph,
  type GraphEdge,
  type GraphLayout,
  type GraphNode,
  graphToDefinition,
  type JourneyGraph,
} from './compiler/graph.ts';
export {
  missingReferenceProblems,
  type ReferenceKind,
  type ReferencingNode,
  type ResourceReference,
  resourceReferences,
} from './compiler/references.ts';
export {
  type PreparedJourney,
  type PreparedNode,
  type ValidationResult,
  validateJourney,
} from './compiler/validate.ts';
export {
  applyOp,
  type ConditionScope,
  evaluateCondition,
  type HistoryEvent,
  nextWindowExpiry,
  readPath,
} from './conditions/evaluate.ts';
export { nextConditionChange } from './conditions/next-change.ts';
export { defaultRegistry } from './default-registry.ts';
export {
  assertNever,
  type Problem,
  type ProblemCode,
  problemCodes,
  type RunErrorCode,
  runErrorCodes,
  WaymarkError,
} from './errors.ts';
export { advance } from './interpreter/advance.ts';
export { contactTimeZone, findDownstream } from './interpreter/context.ts';
export {
  defaultEffectResolver,
  type EffectResolver,
  manualEnrolEvent,
  type SimulationLine,
  type SimulationOptions,
  simulate,
} from './interpreter/simulate.ts';
export * from './interpreter/state.ts';
export * from './nodes/index.ts';
export { hashString, pickWeighted, sampleBeta, seededRandom, thompsonPick } from './random/random.ts';
export {
  type ComparisonOp,
  type Condition,
  type ConditionValue,
  comparisonOps,
  conditionSchema,
  type EventCondition,
} from './schema/condition.ts';
export * from './schema/definition.ts';
export { type DefinitionMigration, definitionMigrations, migrateDefinition } from './schema/migrate.ts';
export {
  durationSchema,
  instantSchema,
  nameSchema,
  positiveDurationSchema,
  signedDurationSchema,
  timeOfDaySchema,
  timeZoneSchema,
} from './schema/primitives.ts';
export { configJsonSchema } from './sdk/config-json-schema.ts';
export {
  type AnyEffectExecutor,
  defineEffect,
  type EffectContact,
  type EffectError,
  type EffectExecutor,
  type EffectExecutorContext,
  type EffectExecutorInput,
  type EffectResult,
  performEffect,
  temporaryFailure,
} from './sdk/define-effect.ts';
export { defineNode, type NodeTypeInput, nextPort } from './sdk/define-node.ts';
export {
  approvalDecidedEvent,
  awaitEffect,
  type EffectOutcome,
  effectOutcome,
  effectResultEvent,
} from './sdk/effects.ts';
export { portsOf } from './sdk/ports.ts';
export { NodeRegistry, type NodeTypeDescription, secretNamePattern } from './sdk/registry.ts';
export {
  defaultEffectRetryPolicy,
  defaultNodeRetryPolicy,
  isRetryable,
  maxRetryAttempts,
  type ResolvedRetryPolicy,
  RetryableError,
  type RetryPolicy,
  resolveRetryPolicy,
  retryDelayMs,
  retryPolicyProblems,
} from './sdk/retry.ts';
export type * from './sdk/types.ts';
export {
  type JourneyUpgradeResult,
  type NodeUpgrade,
  nodeUpgrades,
  type UpgradeResult,
  upgradeJourneyNodes,
  upgradeNodeConfig,
} from './sdk/upgrade.ts';
export { addDuration, type Duration, parseDuration } from './time/duration.ts';
export { isValidTimeZone, nextTimeOfDay, parseTimeOfDay, quietWindowEnd } from './time/zone.ts';
