import { type Editor, grapesjs, type Plugin } from 'grapesjs';
import grapesCss from 'grapesjs/dist/css/grapes.min.css?inline';
import grapesjsMjml from 'grapesjs-mjml';
import { ArrowLeft, Eye, Monitor, Save, Send, Smartphone } from 'lucide-react';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { type ApiClient, ApiError, type Contact, type Template } from '../api/client.ts';
import { useApiData } from '../api/use-api-data.ts';
import { ConfirmDialog } from '../app/confirm-dialog.tsx';
import { format, useStrings } from '../strings.ts';
import { BlockSettings, styleSector } from './block-settings.tsx';
import { cleanMjml } from './clean-mjml.ts';
import { imagesIn } from './image-sources.ts';
import { attributesOf, contactLabel, mergeTag } from './merge-tags.ts';
import { EmailPreviewFrame } from './preview-frame.tsx';
import { useLeaveGuard } from './use-leave-guard.ts';

/** Props of {@link TemplateDesigner}. */
export interface TemplateDesignerProps {
  api: ApiClient;
  templateId: string;
  onBack: () => void;
}

/** Blocks without pictures from the internet (the preset's hero, social and navbar blocks load remote images). */
const blockIds = [
  'mj-1-column',
  'mj-2-columns',
  'mj-3-columns',
  'mj-text',
  'mj-button',
  'mj-image',
  'mj-divider',
  'mj-spacer',
];
/** Blocks that are whole sections; the others go into a column. */
const sectionBlocks = new Set(['mj-1-column', 'mj-2-columns', 'mj-3-columns']);
// grapesjs-mjml is CommonJS: depending on the loader its plugin is the module or its `default`.
type MjmlPlugin = Plugin<Record<string, unknown>>;
const mjmlModule = grapesjsMjml as unknown as MjmlPlugin | { default: MjmlPlugin };
const mjmlPlugin: MjmlPlugin = typeof mjmlModule === 'function' ? mjmlModule : mjmlModule.default;
const placeholderImage = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" width="350" height="250"><rect width="100%" height="100%" fill="#78c5d6"/></svg>',
)}`;
const widths = { desktop: 640, mobile: 375 } as const;
/** How many other templates are read for pictures to reuse. */
const imageSourceTemplates = 10;
const noImages: string[] = [];

/** The pictures in the workspace's most recently changed templates other than `templateId`. */
async function imagesOfOtherTemplates(api: ApiClient, templateId: string): Promise<string[]> {
  const found = await Promise.all(
    (await api.templates())
      .filter((t) => t.id !== templateId)
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
      .slice(0, imageSourceTemplates)
      .map(async (t) => imagesIn((await api.template(t.id)).mjml)),
  );
  return [...new Set(found.flat())];
}

// GrapesJS defines its variables on :root, which does not match inside a shadow root.
const designerCss = grapesCss.replaceAll(':root', ':root,:host');

/** The MJML the designer saves: its export, without GrapesJS's ids and attributes. */
function mjmlOf(editor: Editor): string {
  const exported = editor.runCommand('mjml-code') as unknown;
  return cleanMjml(typeof exported === 'string' ? exported : editor.getHtml());
}

const asApiError = (e: unknown) => (e instanceof ApiError ? e : new ApiError(0, 'internal', String(e)));

type Status = { kind: 'idle' | 'busy' | 'ok' | 'error'; text: string };

/** The email designer: GrapesJS with the MJML preset, merge tags, preview with a contact and test sends. */
export default function TemplateDesigner({ api, templateId, onBack }: TemplateDesignerProps) {
  const s = useStrings();
  const ids = { name: useId(), subject: useId(), attr: useId(), fallback: useId(), contact: useId(), to: useId() };
  const canvasRef = useRef<HTMLDivElement>(null);
  const editorRef = useRef<Editor | null>(null);
  const [editor, setEditor] = useState<Editor | null>(null);
  const [template, setTemplate] = useState<Template | null>(null);
  const [contacts, setContacts] = useState<Contact[]>([]);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [name, setName] = useState('');
  const [subject, setSubject] = useState('');
  const [attribute, setAttribute] = useState('first_name');
  const [fallback, setFallback] = useState('there');
  const [contactId, setContactId] = useState('');
  const [to, setTo] = useState('');
  const [device, setDevice] = useState<keyof typeof widths>('desktop');
  const [preview, setPreview] = useState<{ subject: string; document: string } | null>(null);
  const [status, setStatus] = useState<Status>({ kind: 'idle', text: '' });
  const [blocks, setBlocks] = useState<{ id: string; label: string }[]>([]);
  // Unsaved means the design's MJML differs from the last saved (GrapesJS's change counter also
  // counts its own re-renders after an export, so it cannot tell).
  const [design, setDesign] = useState({ now: '', saved: '', typing: false });
  const [saved, setSaved] = useState({ name: '', subject: '' });
  const dirty =
    design.typing ||
    design.now !== design.saved ||
    (template !== null && (name !== saved.name || subject !== saved.subject));
  const guard = useLeaveGuard(dirty);

  useEffect(() => {
    let live = true;
    Promise.all([api.template(templateId), api.contacts(100).catch(() => [])]).then(
      ([t, cs]) => {
        if (!live) return;
        setTemplate(t);
        setName(t.name);
        setSubject(t.subject);
        setSaved({ name: t.name, subject: t.subject });
        setContacts(cs);
      },
      (e: unknown) => live && setLoadError(asApiError(e)),
    );
    return () => {
      live = false;
    };
  }, [api, templateId]);

  // Offered when an image is selected; none while loading or if the templates cannot be read.
  const images = useApiData(() => imagesOfOtherTemplates(api, templateId), [api, templateId]).data ?? noImages;

  // GrapesJS starts once the template is loaded, inside this component's element (in the shadow root).
  useEffect(() => {
    const container = canvasRef.current;
    if (!template || !container) return;
    const editor = grapesjs.init({
      container,
      height: '100%',
      width: 'auto',
      fromElement: false,
      telemetry: false,
      cssIcons: '',
      storageManager: false,
      // The designer asks itself before leaving, and knows when the design was saved.
      noticeOnUnload: false,
      panels: { defaults: [] },
      blockManager: { custom: true },
      // Traits and styles are shown by this page's own settings panel (BlockSettings).
      traitManager: { custom: true },
      styleManager: { custom: true, sectors: [styleSector] },
      plugins: [
        (e: Editor) =>
          mjmlPlugin(e, {
            blocks: blockIds,
            imagePlaceholderSrc: placeholderImage,
            resetDevices: false,
            resetStyleManager: false,
          }),
      ],
      ...(template.project ? { projectData: template.project } : { components: template.mjml }),
    });
    editorRef.current = editor;
    setEditor(editor);
    // Loading the design is not a change.
    editor.on('load', () => {
      const loaded = mjmlOf(editor);
      setDesign({ now: loaded, saved: loaded, typing: false });
      // Text being typed reaches the model only when its block is left: until then, typing is a change.
      editor.Canvas.getDocument()?.addEventListener('input', () => setDesign((d) => ({ ...d, typing: true })));
    });
    editor.on('update', () => setDesign((d) => ({ ...d, now: mjmlOf(editor) })));
    // The typed text is synced after `rte:disable`; look at the design once that is done.
    editor.on('rte:disable', () =>
      setTimeout(() => {
        if (editorRef.current === editor) setDesign((d) => ({ ...d, now: mjmlOf(editor), typing: false }));
      }, 0),
    );
    const bm = editor.Blocks;
    setBlocks(
      blockIds.flatMap((id) => {
        const b = bm.get(id);
        if (!b) return [];
        const label =
          b
            .getLabel()
            .replace(/<[^>]*>/g, '')
            .trim() || id;
        return [{ id, label }];
      }),
    );
    return () => {
      editorRef.current = null;
      setEditor(null);
      editor.destroy();
    };
  }, [template]);

  const addBlock = (id: string) => {
    const editor = editorRef.current;
    const block = editor?.Blocks.get(id);
    if (!editor || !block) return;
    const wrapper = editor.getWrapper();
    const body = wrapper?.findType('mj-body')[0] ?? wrapper;
    let target = body;
    if (!sectionBlocks.has(id)) {
      const selected = editor.getSelected();
      const column =
        selected?.getType() === 'mj-column'
          ? selected
          : (selected?.closestType('mj-column') ?? body?.findType('mj-column').at(-1));
      if (!column) return;
      target = column;
    }
    const added = target?.append(block.getContent() as never);
    const first = added?.[0];
    if (first) editor.select(first);
  };

  // Dragging a block uses GrapesJS's pointer-based drag: it follows the pointer over the canvas and drops
  // on release there; a release elsewhere (a plain click) cancels it, and the click adds the block instead.
  const startBlockDrag = (id: string, ev: PointerEvent) => {
    const editor = editorRef.current;
    const block = editor?.Blocks.get(id);
    if (!editor || !block || ev.button !== 0) return;
    editor.Blocks.startDrag(block, ev);
    document.addEventListener('pointerup', () => editor.Blocks.endDrag(), { once: true });
  };

  const insertTag = () => {
    const editor = editorRef.current;
    if (!editor) return;
    const tag = mergeTag(attribute, fallback);
    const editing = editor.getEditing();
    const rte = (editing?.getView() as { activeRte?: { insertHTML(v: string): void } } | undefined)?.activeRte;
    if (editing && rte) {
      rte.insertHTML(tag);
      return;
    }
    const selected = editor.getSelected();
    const text = selected?.getType() === 'mj-text' ? selected : editor.getWrapper()?.findType('mj-text').at(-1);
    if (!text) return;
    const inner = text.getInnerHTML();
    text.components(`${inner}${/(\s|&nbsp;)$/.test(inner) ? '' : ' '}${tag}`);
  };

  const save = async (): Promise<boolean> => {
    const editor = editorRef.current;
    if (!editor || !template) return false;
    // Leave text editing so what is being typed is part of the saved design (it syncs asynchronously).
    await (editor.getEditing()?.getView() as { disableEditing?: () => Promise<void> } | undefined)?.disableEditing?.();
    setStatus({ kind: 'busy', text: s.saving });
    const fields = { name, subject };
    const input = {
      name: name.trim(),
      subject: subject.trim(),
      mjml: mjmlOf(editor),
      project: editor.getProjectData() as Record<string, unknown>,
      ...(template.topic ? { topic: template.topic } : {}),
    };
    try {
      const out = await api.saveTemplate(template.id, input);
      setDesign((d) => ({ ...d, saved: input.mjml }));
      setSaved(fields);
      setStatus({ kind: 'ok', text: s.templateSaved });
      return Boolean(out);
    } catch (e) {
      setStatus({ kind: 'error', text: asApiError(e).message });
      return false;
    }
  };

  const showPreview = async () => {
    if (!template || !(await save())) return;
    try {
      const out = await api.previewTemplate(template.id, contactId ? { contactId } : {});
      setPreview({ subject: out.subject, document: out.document });
    } catch (e) {
      setStatus({ kind: 'error', text: asApiError(e).message });
    }
  };

  const sendTest = async (e: FormEvent) => {
    e.preventDefault();
    if (!template || to.trim() === '' || !(await save())) return;
    try {
      const r = await api.sendTestEmail(template.id, to.trim(), contactId ? { contactId } : {});
      setStatus({ kind: 'ok', text: format(s.testSent, { to: r.to }) });
    } catch (err) {
      setStatus({ kind: 'error', text: asApiError(err).message });
    }
  };

  if (loadError)
    return (
      <p className="wm-page-message wm-field-error" role="alert">
        {loadError.status === 401 ? s.signInNeeded : loadError.message}
      </p>
    );
  const attributes = attributesOf(contacts);
  return (
    <div className="wm-designer">
      <style>{designerCss}</style>
      <header className="wm-toolbar wm-designer-bar">
        <button type="button" className="wm-button" onClick={() => guard.request(onBack)}>
          <ArrowLeft aria-hidden size={16} /> {s.backToTemplates}
        </button>
        <label htmlFor={ids.name}>{s.templateName}</label>
        <input id={ids.name} type="text" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />
        <label htmlFor={ids.subject}>{s.subject}</label>
        <input
          id={ids.subject}
          className="wm-subject"
          type="text"
          value={subject}
          maxLength={500}
          onChange={(e) => setSubject(e.target.value)}
        />
        <button
          type="button"
          className="wm-button wm-primary"
          disabled={!template || status.kind === 'busy'}
          onClick={() => void save()}
        >
          <Save aria-hidden size={16} /> {s.saveTemplate}
        </button>
        <span className={status.kind === 'error' ? 'wm-field-error' : 'wm-muted'} role="status">
          {status.kind === 'busy' || status.kind === 'error' || !dirty ? status.text : s.unsavedChanges}
        </span>
      </header>
      <div className="wm-designer-main">
        <aside className="wm-designer-side" aria-label={s.blocks}>
          <h2>{s.blocks}</h2>
          <ul className="wm-blocks">
            {blocks.map((b) => (
              <li key={b.id}>
                <button
                  type="button"
                  className="wm-button wm-block"
                  data-block={b.id}
                  aria-label={format(s.addBlock, { name: b.label })}
                  onClick={() => addBlock(b.id)}
                  onPointerDown={(e) => startBlockDrag(b.id, e.nativeEvent)}
                >
                  {b.label}
                </button>
              </li>
            ))}
          </ul>
          <h2>{s.mergeTag}</h2>
          <p className="wm-hint">{s.mergeTagHint}</p>
          <label htmlFor={ids.attr}>{s.mergeTag}</label>
          <select id={ids.attr} value={attribute} onChange={(e) => setAttribute(e.target.value)}>
            {attributes.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
          <label htmlFor={ids.fallback}>{s.mergeTagFallback}</label>
          <input id={ids.fallback} type="text" value={fallback} onChange={(e) => setFallback(e.target.value)} />
          {/* The tag goes in on pointer down, before the canvas notices the click and ends text editing
              (which would lose the cursor); a keyboard press (detail 0) inserts on click. */}
          <button
            type="button"
            className="wm-button"
            onPointerDown={(e) => {
              e.preventDefault();
              insertTag();
            }}
            onMouseDown={(e) => e.preventDefault()}
            onClick={(e) => e.detail === 0 && insertTag()}
          >
            {s.insertMergeTag}
          </button>
        </aside>
        <div className="wm-designer-canvas" ref={canvasRef} />
        <aside className="wm-designer-side wm-designer-settings" aria-label={s.blockSettings}>
          <h2>{s.blockSettings}</h2>
          {editor && <BlockSettings editor={editor} images={images} />}
        </aside>
        <aside
          className={`wm-designer-side wm-designer-preview${preview ? ` wm-preview-${device}` : ''}`}
          aria-label={s.preview}
        >
          <h2>{s.preview}</h2>
          <label htmlFor={ids.contact}>{s.previewContact}</label>
          <select id={ids.contact} value={contactId} onChange={(e) => setContactId(e.target.value)}>
            <option value="">{s.sampleContact}</option>
            {contacts.map((c) => (
              <option key={c.id} value={c.id}>
                {contactLabel(c)}
              </option>
            ))}
          </select>
          <fieldset className="wm-row wm-devices">
            <legend className="wm-visually-hidden">{s.previewWidth}</legend>
            {(['desktop', 'mobile'] as const).map((d) => (
              <button
                key={d}
                type="button"
                className="wm-button"
                aria-pressed={device === d}
                onClick={() => setDevice(d)}
              >
                {d === 'desktop' ? <Monitor aria-hidden size={16} /> : <Smartphone aria-hidden size={16} />}{' '}
                {d === 'desktop' ? s.desktop : s.mobile}
              </button>
            ))}
          </fieldset>
          <button type="button" className="wm-button" disabled={!template} onClick={() => void showPreview()}>
            <Eye aria-hidden size={16} /> {s.preview}
          </button>
          <form className="wm-row" onSubmit={(e) => void sendTest(e)}>
            <label htmlFor={ids.to}>{s.testEmailTo}</label>
            <input id={ids.to} type="email" value={to} onChange={(e) => setTo(e.target.value)} />
            <button type="submit" className="wm-button" disabled={!template || to.trim() === ''}>
              <Send aria-hidden size={16} /> {s.sendTest}
            </button>
          </form>
          {preview && (
            <>
              <p className="wm-preview-subject">{preview.subject}</p>
              <EmailPreviewFrame title={s.previewTitle} document={preview.document} style={{ width: widths[device] }} />
            </>
          )}
        </aside>
      </div>
      {guard.asking && (
        <ConfirmDialog
          title={s.unsavedTitle}
          message={s.unsavedMessage}
          confirmLabel={s.leaveUnsaved}
          cancelLabel={s.stayHere}
          danger
          onConfirm={guard.leave}
          onCancel={guard.stay}
        />
      )}
    </div>
  );
}
