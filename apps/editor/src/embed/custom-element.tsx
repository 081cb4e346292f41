import { createRoot, type Root } from 'react-dom/client';
import type { JourneyVersion } from '../api/client.ts';
import type { JourneyChange } from '../app/editor-view.tsx';
import type { Strings } from '../strings.ts';
import type { JourneyEditorTheme } from './editor-root.tsx';
import { JourneyEditorContent } from './journey-editor.tsx';

/** The events `<waymark-journey-editor>` dispatches (bubbling, composed). */
export interface JourneyEditorEvents {
  'waymark-change': CustomEvent<JourneyChange>;
  'waymark-publish': CustomEvent<JourneyVersion>;
}

function parseJson<T>(text: string | null): T | undefined {
  if (text === null || text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/**
 * Registers the `<waymark-journey-editor>` custom element (or another tag name) for pages that do not
 * use React. Attributes: `api-url`, `token`, `journey-id`, `theme` (`light`, `dark` or JSON of CSS
 * variables), `strings` (JSON); the `strings` and `theme` properties take objects. It renders in its
 * own shadow root and dispatches `waymark-change` and `waymark-publish` events.
 *
 * @example
 * defineJourneyEditorElement();
 * // <waymark-journey-editor api-url="https://waymark.example.com" token="…" journey-id="cart"></waymark-journey-editor>
 */
export function defineJourneyEditorElement(tagName = 'waymark-journey-editor'): CustomElementConstructor {
  const existing = customElements.get(tagName);
  if (existing) return existing;

  class WaymarkJourneyEditorElement extends HTMLElement {
    static observedAttributes = ['api-url', 'token', 'journey-id', 'theme', 'strings'];
    #root: Root | null = null;
    #strings: Partial<Strings> | undefined;
    #theme: JourneyEditorTheme | undefined;

    /** Replacements for the editor's texts. */
    get strings(): Partial<Strings> | undefined {
      return this.#strings ?? parseJson<Partial<Strings>>(this.getAttribute('strings'));
    }
    set strings(value: Partial<Strings> | undefined) {
      this.#strings = value;
      this.#render();
    }

    /** `light`, `dark` or an object of CSS variables. */
    get theme(): JourneyEditorTheme | undefined {
      if (this.#theme) return this.#theme;
      const attr = this.getAttribute('theme');
      if (attr === 'light' || attr === 'dark') return attr;
      return parseJson<JourneyEditorTheme>(attr);
    }
    set theme(value: JourneyEditorTheme | undefined) {
      this.#theme = value;
      this.#render();
    }

    connectedCallback() {
      // A property set before this element was defined sits on the instance, hiding the setter: move it.
      for (const key of ['strings', 'theme'] as const)
        if (Object.hasOwn(this, key)) {
          const value = this[key];
          delete (this as Partial<Record<typeof key, unknown>>)[key];
          (this as Record<typeof key, unknown>)[key] = value;
        }
      const shadow = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
      const mount = document.createElement('div');
      mount.style.height = '100%';
      shadow.replaceChildren(mount);
      this.#root = createRoot(mount);
      this.#render();
    }

    disconnectedCallback() {
      const root = this.#root;
      this.#root = null;
      // Unmount after the current task: React refuses to unmount a root while it is rendering.
      queueMicrotask(() => root?.unmount());
    }

    attributeChangedCallback() {
      this.#render();
    }

    #render() {
      if (!this.#root) return;
      const journeyId = this.getAttribute('journey-id') || undefined;
      this.#root.render(
        <JourneyEditorContent
          apiUrl={this.getAttribute('api-url') ?? ''}
          token={this.getAttribute('token') ?? ''}
          journeyId={journeyId}
          theme={this.theme}
          strings={this.strings}
          onChange={(detail) =>
            this.dispatchEvent(new CustomEvent('waymark-change', { detail, bubbles: true, composed: true }))
          }
          onPublish={(detail) =>
            this.dispatchEvent(new CustomEvent('waymark-publish', { detail, bubbles: true, composed: true }))
          }
        />,
      );
    }
  }
  customElements.define(tagName, WaymarkJourneyEditorElement);
  return WaymarkJourneyEditorElement;
}
