// The self-contained bundle for pages without React: loading it defines <waymark-journey-editor>.
import { defineJourneyEditorElement } from './custom-element.tsx';

defineJourneyEditorElement();

export { defineJourneyEditorElement };
