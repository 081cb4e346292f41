import type { Component, Editor, Property } from 'grapesjs';
import { useEffect, useId, useState } from 'react';
import { format, type Strings, useStrings } from '../strings.ts';

type StyleKind = 'color' | 'px' | 'align';
type StyleField = { property: string; kind: StyleKind; label: keyof Strings };

/** The MJML attributes a marketer sets; each block type's `stylable` list (grapesjs-mjml) picks its own. */
const styleFields: StyleField[] = [
  { property: 'color', kind: 'color', label: 'textColour' },
  { property: 'background-color', kind: 'color', label: 'backgroundColour' },
  { property: 'container-background-color', kind: 'color', label: 'areaColour' },
  { property: 'font-size', kind: 'px', label: 'fontSize' },
  { property: 'align', kind: 'align', label: 'alignment' },
  { property: 'padding-top', kind: 'px', label: 'paddingTop' },
  { property: 'padding-right', kind: 'px', label: 'paddingRight' },
  { property: 'padding-bottom', kind: 'px', label: 'paddingBottom' },
  { property: 'padding-left', kind: 'px', label: 'paddingLeft' },
];
const alignments = ['left', 'center', 'right'] as const;
/** Settings that are attributes rather than styles, shown through the block's traits. */
const traitFields: { name: string; label: keyof Strings }[] = [
  { name: 'href', label: 'linkUrl' },
  { name: 'alt', label: 'altText' },
];
/** The blocks offered in the picker (the document and head parts are not for marketers). */
const pickable = new Set(['mj-section', 'mj-column', 'mj-text', 'mj-button', 'mj-image', 'mj-divider', 'mj-spacer']);

/** The Style Manager sector the designer uses; its properties are shown by {@link BlockSettings}. */
const styleSectorId = 'wm-block-style';
export const styleSector = {
  id: styleSectorId,
  name: 'Style',
  open: true,
  properties: styleFields.map((f) =>
    f.kind === 'color'
      ? { property: f.property, type: 'color' }
      : f.kind === 'px'
        ? { property: f.property, type: 'number', units: ['px'], unit: 'px', min: 0 }
        : { property: f.property, type: 'select', options: alignments.map((id) => ({ id, label: id })) },
  ),
};

/** The value a colour picker can show: `#rrggbb`. */
function pickerColour(value: string): string {
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(value);
  if (short) return `#${short[1]}${short[1]}${short[2]}${short[2]}${short[3]}${short[3]}`.toLowerCase();
  return /^#[0-9a-f]{6}$/i.test(value) ? value.toLowerCase() : '#000000';
}

/** A block's label in the picker: its type and the start of its text. */
function blockLabel(c: Component): string {
  const text = (c.getEl()?.textContent ?? '').replace(/\s+/g, ' ').trim();
  const name = c.getName();
  return text && !['mj-section', 'mj-column'].includes(c.getType()) ? `${name}: ${text.slice(0, 30)}` : name;
}

function srcOf(c: Component): string {
  const src = c.getAttributes().src;
  return typeof src === 'string' ? src : '';
}

/** Props of {@link BlockSettings}. */
export interface BlockSettingsProps {
  editor: Editor;
  /** Pictures used in the workspace's other templates, offered for images. */
  images: readonly string[];
}

/**
 * The settings of the block selected in the designer: link, image source and alt text through the
 * block's GrapesJS traits, colours, font size, alignment and padding through the Style Manager, which
 * shows each MJML component only the properties it supports. Native, labelled controls, so all of it
 * works from the keyboard; a picker selects a block without the pointer.
 */
export function BlockSettings({ editor, images }: BlockSettingsProps) {
  const s = useStrings();
  const baseId = useId();
  const [, setVersion] = useState(0);
  useEffect(() => {
    const refresh = () => setVersion((v) => v + 1);
    // The Style Manager follows a new selection a moment later and then announces `style:custom`.
    const events = 'component:toggled component:update component:add component:remove style:custom undo redo load';
    editor.on(events, refresh);
    return () => {
      editor.off(events, refresh);
    };
  }, [editor]);

  const body = editor.getWrapper()?.findType('mj-body')[0];
  const blocks = body ? body.find('*').filter((c) => pickable.has(c.getType())) : [];
  const selected = editor.getSelected();
  const id = (name: string) => `${baseId}-${name}`;
  const picker = (
    <>
      <label htmlFor={id('block')}>{s.blockToEdit}</label>
      <select
        id={id('block')}
        value={selected && blocks.includes(selected) ? selected.cid : ''}
        onChange={(e) => {
          const c = blocks.find((b) => b.cid === e.target.value);
          if (c) editor.select(c);
        }}
      >
        <option value="">{s.noBlockSelected}</option>
        {blocks.map((b) => (
          <option key={b.cid} value={b.cid}>
            {blockLabel(b)}
          </option>
        ))}
      </select>
    </>
  );
  if (!selected) return picker;

  const isImage = selected.getType() === 'mj-image';
  const traits = traitFields.flatMap((f) => {
    const trait = selected.getTrait(f.name);
    return trait ? [{ ...f, trait }] : [];
  });
  const sector = editor.StyleManager.getSector(styleSectorId, { warn: false });
  // Until the Style Manager has followed the selection its properties still show the previous block.
  const current = (editor.StyleManager.getSelected() as unknown) === selected;
  const properties = current ? (sector?.getProperties().filter((p) => p.isVisible()) ?? []) : [];
  const field = (name: string) => styleFields.find((f) => f.property === name);
  const src = srcOf(selected);
  const setSrc = (url: string) => {
    // The canvas draws the image from its `src` property, the exported MJML takes the attribute.
    selected.set('src', url);
    selected.addAttributes({ src: url });
  };
  const used = [
    ...new Set([...(body?.findType('mj-image').map(srcOf) ?? []).filter((u) => /^https?:\/\//i.test(u)), ...images]),
  ];

  const styleControl = (p: Property) => {
    const f = field(p.getName());
    if (!f) return null;
    const label = s[f.label];
    const value = String(p.getValue() ?? '');
    if (f.kind === 'color')
      return (
        <div key={f.property} className="wm-setting">
          <label htmlFor={id(f.property)}>{label}</label>
          <div className="wm-row">
            <input
              id={id(f.property)}
              type="text"
              spellCheck={false}
              value={value}
              placeholder="#000000"
              onChange={(e) => (e.target.value === '' ? p.clear() : p.upValue(e.target.value))}
            />
            <input
              type="color"
              aria-label={format(s.pickColour, { name: label })}
              value={pickerColour(value)}
              onChange={(e) => p.upValue(e.target.value)}
            />
          </div>
        </div>
      );
    if (f.kind === 'px')
      return (
        <div key={f.property} className="wm-setting">
          <label htmlFor={id(f.property)}>{label}</label>
          <input
            id={id(f.property)}
            type="number"
            min={0}
            value={Number.isNaN(Number.parseFloat(value)) ? '' : Number.parseFloat(value)}
            onChange={(e) => (e.target.value === '' ? p.clear() : p.upValue(`${e.target.value}px`))}
          />
        </div>
      );
    return (
      <div key={f.property} className="wm-setting">
        <label htmlFor={id(f.property)}>{label}</label>
        <select id={id(f.property)} value={value} onChange={(e) => p.upValue(e.target.value)}>
          <option value="" />
          {alignments.map((a) => (
            <option key={a} value={a}>
              {s[a === 'left' ? 'alignLeft' : a === 'center' ? 'alignCenter' : 'alignRight']}
            </option>
          ))}
        </select>
      </div>
    );
  };

  return (
    <>
      {picker}
      <h3>{format(s.blockSettingsOf, { name: selected.getName() })}</h3>
      {isImage && (
        <>
          <label htmlFor={id('src')}>{s.imageUrl}</label>
          <input
            id={id('src')}
            type="text"
            inputMode="url"
            spellCheck={false}
            value={src.startsWith('data:') ? '' : src}
            placeholder="https://"
            onChange={(e) => setSrc(e.target.value)}
          />
          {used.length > 0 && (
            <>
              <label htmlFor={id('used')}>{s.imagesUsed}</label>
              <select id={id('used')} value={used.includes(src) ? src : ''} onChange={(e) => setSrc(e.target.value)}>
                <option value="" />
                {used.map((u) => (
                  <option key={u} value={u}>
                    {u}
                  </option>
                ))}
              </select>
            </>
          )}
        </>
      )}
      {traits.map(({ name, label, trait }) => (
        <div key={name} className="wm-setting">
          <label htmlFor={id(name)}>{s[label]}</label>
          <input
            id={id(name)}
            type="text"
            inputMode={name === 'href' ? 'url' : 'text'}
            spellCheck={name !== 'href'}
            value={String(trait.getValue() ?? '')}
            placeholder={name === 'href' ? 'https://' : ''}
            onChange={(e) => trait.setValue(e.target.value)}
          />
        </div>
      ))}
      {properties.map(styleControl)}
    </>
  );
}
