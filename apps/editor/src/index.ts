/**
 * `@waymark/editor` as a library: the journey editor as a React component and as a custom element,
 * the API client it uses, and its default strings for localisation.
 */
export { type ApiClient, ApiError, createApiClient, type Journey, type JourneyVersion } from './api/client.ts';
export type { JourneyChange } from './app/editor-view.tsx';
export { defineJourneyEditorElement, type JourneyEditorEvents } from './embed/custom-element.tsx';
export { editorStyles, type JourneyEditorTheme } from './embed/editor-root.tsx';
export { JourneyEditor, type JourneyEditorProps } from './embed/journey-editor.tsx';
export { defaultStrings, type Strings } from './strings.ts';
