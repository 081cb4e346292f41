import { createContext, useContext } from 'react';

/**
 * Every piece of text the editor shows, in English. Hosts override any of them (`strings` prop or
 * attribute) to localise the editor; `{name}` placeholders are filled by {@link format}.
 */
export const defaultStrings = {
  appName: 'Waymark',
  journeys: 'Journeys',
  newJourney: 'New journey',
  newJourneyName: 'Name of the new journey',
  create: 'Create',
  open: 'Open',
  noJourneys: 'No journeys yet. Create the first one above.',
  loading: 'Loading…',
  status: 'Status',
  live: 'Live version',
  updated: 'Updated',
  name: 'Name',
  signInNeeded:
    'You are not signed in, or your session has expired. Open the sign-in link that Waymark printed when it started.',
  readOnly: 'Read only',

  journeyName: 'Journey name',
  undo: 'Undo',
  redo: 'Redo',
  fitView: 'Zoom to fit',
  publish: 'Publish',
  publishing: 'Publishing…',
  publishBlocked: 'Fix the problems before publishing',
  published: 'Published version {version}',
  publishedUnchanged: 'Version {version} is already live; nothing changed',
  publishFailed: 'Publishing failed: {message}',
  saved: 'All changes saved',
  saving: 'Saving…',
  unsaved: 'Unsaved changes',
  saveFailed: 'Could not save: {message}. Retrying…',
  versions: 'Versions',
  noVersions: 'Not published yet.',
  versionN: 'Version {version}',
  liveBadge: 'live',
  viewVersion: 'View',
  viewingVersion: 'Viewing version {version} (read only)',
  backToDraft: 'Back to the draft',
  close: 'Close',

  palette: 'Steps',
  searchSteps: 'Search steps',
  noStepsMatch: 'No step matches “{query}”.',
  addStep: 'Add {title}',
  paletteHint: 'Drag a step onto the canvas, or press it to add it.',
  category_trigger: 'Triggers',
  category_flow: 'Flow',
  category_action: 'Actions',
  category_ai: 'AI',
  category_other: 'Other',

  canvas: 'Journey canvas',
  emptyCanvas: 'Start by dragging a trigger here: it decides who enters the journey.',
  unknownType: 'Unknown step type {type}',
  needsSetup: 'Needs setting up',
  outputs: 'Outputs',
  problemCount: '{count} problem(s)',

  settings: 'Journey settings',
  stepSettings: 'Step settings',
  stepLabel: 'Label on the canvas',
  stepId: 'Step id',
  deleteStep: 'Delete step',
  noSchema: 'This step has nothing to set up.',

  problems: 'Problems',
  noProblems: 'No problems: the journey is ready to publish.',
  problemsHeading: '{count} problem(s) to fix before publishing',
  serverProblems: 'The server refused to publish:',
  showOnCanvas: 'Show on the canvas',
  isRequired: 'is required',

  required: 'required',
  add: 'Add',
  addItem: 'Add {title}',
  remove: 'Remove',
  removeItem: 'Remove {title} {n}',
  item: 'Item',
  key: 'Key',
  value: 'Value',
  addEntry: 'Add entry',
  notSet: '— not set —',
  invalidJson: 'Not valid JSON',
  amount: 'Amount',
  unit: 'Unit',
  unit_minutes: 'minutes',
  unit_hours: 'hours',
  unit_days: 'days',
  unit_weeks: 'weeks',
  unit_months: 'months',
  unit_years: 'years',
  customDuration: 'ISO 8601 duration',
  before: 'before',
  after: 'after',
  direction: 'Before or after',

  match: 'Match',
  matchAll: 'all of these rules',
  matchAny: 'any of these rules',
  noRules: 'No rules yet.',
  ruleN: 'Rule {n}',
  ruleKind: 'Rule type',
  ruleAttribute: 'Contact attribute',
  ruleEvent: 'Event count',
  ruleGroup: 'Group of rules',
  ruleCustom: 'Other (JSON)',
  negate: 'Not',
  attribute: 'Attribute',
  property: 'Event property',
  operator: 'Operator',
  op_eq: 'is',
  op_neq: 'is not',
  op_gt: 'is greater than',
  op_gte: 'is at least',
  op_lt: 'is less than',
  op_lte: 'is at most',
  op_contains: 'contains',
  op_in: 'is one of (comma separated)',
  op_exists: 'is set',
  op_notExists: 'is not set',
  eventName: 'Event name',
  countOp: 'How many times',
  count: 'Count',
  within: 'Within the last',
  anyTime: 'any time',
  addAttributeRule: 'Add attribute rule',
  addEventRule: 'Add event rule',
  addGroup: 'Add group',
  addFilter: 'Only events where…',
  removeFilter: 'Remove the filter',
  removeRule: 'Remove rule {n}',
  cop_eq: 'exactly',
  cop_neq: 'not exactly',
  cop_gt: 'more than',
  cop_gte: 'at least',
  cop_lt: 'fewer than',
  cop_lte: 'at most',

  templateHint: 'Type a template id or choose one',

  simulate: 'Simulate',
  simulation: 'Simulation',
  exitSimulation: 'Back to editing',
  testContact: 'Test contact attributes (JSON)',
  events: 'Events',
  eventTime: 'Time',
  eventN: 'Event {n}',
  eventProperties: 'Properties (JSON)',
  addEvent: 'Add event',
  removeEvent: 'Remove event {n}',
  runSimulation: 'Run simulation',
  fixProblemsFirst: 'Fix the problems listed below before simulating.',
  noSteps: 'The contact did not enter the journey. Does an event match the trigger?',
  step: 'Step',
  time: 'Time',
  outcome: 'Outcome',
  showUpTo: 'Show steps up to',
  previousStep: 'Previous step',
  nextStep: 'Next step',
  exitCompleted: 'Left the journey',
  exitGoal: 'Reached the exit goal',
  skipped: 'Skipped ({reason})',
  via: 'via {port}',

  templates: 'Email templates',
  newTemplate: 'New template',
  newTemplateName: 'Name of the new template',
  noTemplates: 'No templates yet. Create the first one above.',
  subject: 'Subject',
  deleteTemplate: 'Delete {name}',
  confirmDelete: 'Delete the template "{name}"? Journeys that send it will fail.',
  backToJourneys: 'Back to journeys',
  backToTemplates: 'Back to templates',
  templateName: 'Template name',
  saveTemplate: 'Save',
  templateSaved: 'Template saved',
  blocks: 'Blocks',
  addBlock: 'Add {name}',
  mergeTag: 'Merge tag',
  mergeTagFallback: 'Fallback',
  insertMergeTag: 'Insert merge tag',
  mergeTagHint: 'Select a text block and place the cursor where the tag goes.',
  previewContact: 'Preview as contact',
  sampleContact: 'Sample contact (no attributes)',
  preview: 'Preview',
  previewTitle: 'Email preview',
  previewWidth: 'Preview width',
  desktop: 'Desktop',
  mobile: 'Mobile',
  testEmailTo: 'Send a test to',
  sendTest: 'Send test',
  testSent: 'Test email sent to {to}',
  chooseTemplate: 'Choose a saved template',
  openTemplate: 'Open template',
  designer: 'Designer',
};

/** The editor's text; override any entry for localisation. */
export type Strings = typeof defaultStrings;

/** Fills `{name}` placeholders. */
export function format(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));
}

const StringsContext = createContext<Strings>(defaultStrings);

/** Provides the (possibly overridden) strings to the editor's components. */
export const StringsProvider = StringsContext.Provider;

/** The editor's strings. */
export function useStrings(): Strings {
  return useContext(StringsContext);
}

/** Merges a host's overrides into the defaults, ignoring entries that are not strings. */
export function mergeStrings(overrides: Partial<Record<string, unknown>> | undefined): Strings {
  const merged: Record<string, string> = { ...defaultStrings };
  if (overrides)
    for (const [key, value] of Object.entries(overrides))
      if (key in defaultStrings && typeof value === 'string') merged[key] = value;
  return merged as Strings;
}
