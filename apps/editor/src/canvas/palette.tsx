import type { NodeTypeDescription } from '@waymark/nodes';
import { Search } from 'lucide-react';
import { useId, useMemo, useState } from 'react';
import { format, type Strings, useStrings } from '../strings.ts';
import { NodeIcon } from './icons.tsx';

/** The drag-and-drop payload type of a palette item: `type@version`. */
export const paletteMime = 'application/x-waymark-node-type';

const categoryOrder = ['trigger', 'flow', 'action', 'ai'];

function categoryTitle(s: Strings, category: string): string {
  const key = `category_${category}` as keyof Strings;
  return key in s ? s[key] : s.category_other;
}

/** Props of {@link Palette}. */
export interface PaletteProps {
  nodeTypes: readonly NodeTypeDescription[];
  /** Adds a step of the type (keyboard or click). */
  onAdd: (description: NodeTypeDescription) => void;
  disabled?: boolean;
}

/**
 * The step palette: node types from `GET /v1/node-types`, grouped by category, searchable, dragged onto
 * the canvas or added with a press (so the keyboard can build a journey too). Only each type's newest
 * version is offered.
 */
export function Palette({ nodeTypes, onAdd, disabled }: PaletteProps) {
  const s = useStrings();
  const searchId = useId();
  const [query, setQuery] = useState('');
  const groups = useMemo(() => {
    const newest = new Map<string, NodeTypeDescription>();
    for (const d of nodeTypes) if ((newest.get(d.type)?.version ?? 0) < d.version) newest.set(d.type, d);
    const q = query.trim().toLowerCase();
    const matches = [...newest.values()].filter(
      (d) =>
        q === '' ||
        d.title.toLowerCase().includes(q) ||
        d.description.toLowerCase().includes(q) ||
        d.type.toLowerCase().includes(q),
    );
    const byCategory = new Map<string, NodeTypeDescription[]>();
    for (const d of matches) byCategory.set(d.category, [...(byCategory.get(d.category) ?? []), d]);
    return [...byCategory.entries()].sort(
      ([a], [b]) =>
        (categoryOrder.indexOf(a) + 1 || categoryOrder.length + 1) -
        (categoryOrder.indexOf(b) + 1 || categoryOrder.length + 1),
    );
  }, [nodeTypes, query]);

  return (
    <nav className="wm-palette" aria-label={s.palette}>
      <div className="wm-search">
        <Search aria-hidden size={14} />
        <label htmlFor={searchId} className="wm-visually-hidden">
          {s.searchSteps}
        </label>
        <input
          id={searchId}
          type="search"
          placeholder={s.searchSteps}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
      </div>
      <p className="wm-hint">{s.paletteHint}</p>
      {groups.length === 0 && <p className="wm-muted">{format(s.noStepsMatch, { query })}</p>}
      {groups.map(([category, items]) => (
        <section key={category} className="wm-palette-group" aria-label={categoryTitle(s, category)}>
          <h3>{categoryTitle(s, category)}</h3>
          <ul>
            {items.map((d) => (
              <li key={d.type}>
                <button
                  type="button"
                  className={`wm-palette-item wm-cat-${d.category}`}
                  draggable={!disabled}
                  disabled={disabled}
                  aria-label={format(s.addStep, { title: d.title })}
                  title={d.description}
                  data-node-type={d.type}
                  onDragStart={(e) => {
                    e.dataTransfer.setData(paletteMime, `${d.type}@${d.version}`);
                    e.dataTransfer.setData('text/plain', d.title);
                    e.dataTransfer.effectAllowed = 'move';
                  }}
                  onClick={() => onAdd(d)}
                >
                  <span className="wm-node-icon">
                    <NodeIcon name={d.icon} />
                  </span>
                  <span className="wm-palette-text">
                    <span className="wm-palette-title">{d.title}</span>
                    <span className="wm-palette-desc">{d.description}</span>
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </nav>
  );
}
