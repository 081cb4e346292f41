/** Every stable problem code that validation, compilation and execution can report. */
export const problemCodes = [
  'invalid_json',
  'invalid_definition',
  'unsupported_schema_version',
  'no_trigger',
  'duplicate_node_id',
  'unknown_node_type',
  'unknown_node_version',
  'invalid_config',
  'unknown_port',
  'dangling_port',
  'duplicate_port_edge',
  'edge_to_missing_node',
  'edge_from_missing_node',
  'edge_into_trigger',
  'unreachable_node',
  'cycle_without_wait',
  'exit_has_outgoing_edges',
  'invalid_weights',
  'invalid_timezone',
  // Found by missingReferenceProblems against the workspace's stored templates and segments.
  'unknown_template',
  'unknown_segment',
] as const;

/** A stable code naming one kind of problem in a journey. */
export type ProblemCode = (typeof problemCodes)[number];

/** One problem in a journey, located on the node, edge and config field it concerns. */
export interface Problem {
  code: ProblemCode;
  message: string;
  nodeId?: string;
  edgeId?: string;
  path?: (string | number)[];
}

/** Codes of errors raised while running a journey rather than while validating one. */
export const runErrorCodes = [
  'invalid_input',
  'event_not_awaited',
  'run_not_found',
  'node_not_found',
  'node_failed',
  'node_timeout',
  'runaway_loop',
  'model_unavailable',
] as const;

/** A stable code naming one kind of runtime error. */
export type RunErrorCode = (typeof runErrorCodes)[number];

/** The one error class of `@waymark/nodes`; `code` says what went wrong. */
export class WaymarkError extends Error {
  override readonly name = 'WaymarkError';
  readonly code: ProblemCode | RunErrorCode;
  readonly details: unknown;
  /** True when the failure is temporary: a node step that throws it is tried again per its retry policy. */
  readonly retryable: boolean;

  constructor(
    code: ProblemCode | RunErrorCode,
    message: string,
    options?: { cause?: unknown; details?: unknown; retryable?: boolean },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options?.details;
    this.retryable = options?.retryable ?? false;
  }
}

/** Fails compilation when a switch over a union misses a member. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
