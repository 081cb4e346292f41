import { createHash } from 'node:crypto';
import { Liquid, LiquidError, type Template } from 'liquidjs';
import mjml2html from 'mjml';
import { escapeHtml, insertBeforeBodyEnd, rewriteLinks } from './html.ts';
import { RenderError, type TemplateField } from './render-error.ts';
import { htmlToText, replaceMarkedLinks } from './text-part.ts';

/** What to render: a template, the contact it goes to, and the links only the runtime knows. */
export interface RenderInput {
  template: { subject: string; mjml: string };
  contact: { id: string; email: string | null; attributes: Readonly<Record<string, unknown>> };
  /** A subject chosen by the journey (an override or an AI variant); merge tags allowed. */
  subjectOverride?: string | undefined;
  links: { unsubscribeUrl: string; preferencesUrl?: string | undefined };
  /** Rewrites links to click redirects and adds an open pixel; leave out for previews. */
  tracking?: { openUrl: string; clickUrl(url: string, index: number): string } | undefined;
  /**
   * Whether to add the footer of preference-center and unsubscribe links the template does not show
   * itself (default true); false for an email held for a digest, which has one footer for all.
   */
  footer?: boolean | undefined;
}

/** An MJML validation problem; the email is still rendered (validation level "soft"). */
export interface MjmlWarning {
  line: number;
  message: string;
  tagName: string;
}

/** A rendered email. */
export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  warnings: MjmlWarning[];
}

// Merge tags are user content: no file system (`templates: {}` makes include/render look in an
// empty in-memory map), no prototype walking, and bounded time and memory per render.
const limits = {
  templates: {},
  ownPropertyOnly: true,
  strictFilters: true,
  renderLimit: 2_000,
  memoryLimit: 32e6,
  parseLimit: 2e6,
};
const htmlLiquid = new Liquid({ ...limits, outputEscape: 'escape' });
const plainLiquid = new Liquid(limits);

const liquidTag = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g;
const placeholder = (i: number) => `\uE000${i}\uE001`;

/** A template compiled once and reused for every contact. */
type Compiled =
  /** MJML compiled ahead with the merge tags intact: per contact only liquid runs. */
  | { mode: 'precompiled'; html: Template[]; text: Template[] | null; warnings: MjmlWarning[] }
  /** Merge tags shape the MJML itself (e.g. a loop around sections): liquid, then MJML, per contact. */
  | { mode: 'per-contact'; mjml: Template[]; warnings: MjmlWarning[] };

function positionOf(err: LiquidError): { line: number; column: number } | undefined {
  const [line, column] = err.token?.getPosition?.() ?? [];
  return line === undefined || column === undefined ? undefined : { line, column };
}

function liquidFailure(err: unknown, field: TemplateField, stage: 'parse' | 'render'): RenderError {
  if (err instanceof LiquidError) {
    const code = stage === 'parse' ? 'template_syntax' : 'template_render';
    return new RenderError(code, field, `template ${field}: ${err.message}`, positionOf(err), { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new RenderError('template_render', field, `template ${field}: ${message}`, undefined, { cause: err });
}

function parse(engine: Liquid, source: string, field: TemplateField): Template[] {
  try {
    return engine.parse(source);
  } catch (err) {
    throw liquidFailure(err, field, 'parse');
  }
}

async function compileMjml(source: string): Promise<{ html: string; warnings: MjmlWarning[] }> {
  try {
    const result = await mjml2html(source, {
      validationLevel: 'soft',
      ignoreIncludes: true,
      keepComments: false,
      useMjmlConfigOptions: false,
      // MJML links Google Fonts for its default font (Ubuntu) and four others whenever a font-family
      // names them: an email would then load a stylesheet from the internet the author never chose.
      // Only fonts the template declares with <mj-font> are linked. A fresh object, as mj-font adds to it.
      fonts: {},
    });
    return {
      html: result.html,
      warnings: result.errors.map((e) => ({ line: e.line, message: e.message, tagName: e.tagName })),
    };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new RenderError('mjml_invalid', 'mjml', `template mjml: ${message}`, undefined, { cause: err });
  }
}

function sameTags(a: string, b: string): boolean {
  const x = a.match(liquidTag) ?? [];
  const y = b.match(liquidTag) ?? [];
  if (x.length !== y.length) return false;
  x.sort();
  y.sort();
  return x.every((t, i) => t === y[i]);
}

/** The text-part template: the compiled HTML turned to text with the merge tags carried through. */
function textTemplate(html: string): Template[] | null {
  const tags: string[] = [];
  const protectedHtml = html.replace(liquidTag, (tag) => placeholder(tags.push(tag) - 1));
  const text = htmlToText(protectedHtml).replace(/\uE000(\d+)\uE001/g, (_, i: string) => tags[Number(i)] ?? '');
  try {
    return plainLiquid.parse(text);
  } catch {
    // A tag split between an attribute the text part drops and visible text: convert per contact.
    return null;
  }
}

async function compileTemplate(mjml: string): Promise<Compiled> {
  // Parse first so that syntax errors name lines of the template as written.
  const source = parse(htmlLiquid, mjml, 'mjml');
  let compiled: { html: string; warnings: MjmlWarning[] };
  try {
    compiled = await compileMjml(mjml);
  } catch (err) {
    // Merge tags in places MJML cannot parse (e.g. a `{% for %}` around an attribute): try per contact.
    if (mjml.match(liquidTag)) return { mode: 'per-contact', mjml: source, warnings: [] };
    throw err;
  }
  if (!sameTags(mjml, compiled.html)) return { mode: 'per-contact', mjml: source, warnings: compiled.warnings };
  return {
    mode: 'precompiled',
    html: parse(htmlLiquid, compiled.html, 'mjml'),
    text: textTemplate(compiled.html),
    warnings: compiled.warnings,
  };
}

const cacheLimit = 500;
const compiledCache = new Map<string, Promise<Compiled>>();
const subjectCache = new Map<string, Template[]>();

function remember<T>(cache: Map<string, T>, key: string, make: () => T): T {
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const value = make();
  cache.set(key, value);
  if (cache.size > cacheLimit) cache.delete(cache.keys().next().value as string);
  return value;
}

function compiledTemplate(mjml: string): Promise<Compiled> {
  const key = createHash('sha256').update(mjml).digest('base64url');
  return remember(compiledCache, key, () => compileTemplate(mjml));
}

function render(engine: Liquid, template: Template[], scope: object, field: TemplateField): string {
  try {
    return engine.renderSync(template, scope) as string;
  } catch (err) {
    throw liquidFailure(err, field, 'render');
  }
}

/** The footer added for the links the template does not show itself. */
function linksFooter(links: { label: string; url: string }[]): string {
  const anchors = links.map(
    (l) => `<a href="${escapeHtml(l.url)}" style="color:#6b7280" data-wm-notrack>${escapeHtml(l.label)}</a>`,
  );
  return `<div style="font-family:Arial,sans-serif;font-size:12px;line-height:18px;color:#6b7280;text-align:center;padding:16px">${anchors.join(' &middot; ')}</div>`;
}

function openPixel(url: string): string {
  return `<img src="${escapeHtml(url)}" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0;margin:0;padding:0">`;
}

/**
 * Renders an email for one contact: fills merge tags (HTML-escaped in the HTML part, plain in the
 * subject and text part), compiles the MJML (once per template, cached), derives the text part,
 * rewrites links to click redirects and appends the open pixel. Visible preference-center and
 * unsubscribe links are added in a footer when the template has none. Throws {@link RenderError} naming the field at fault.
 *
 * @example
 * const { subject, html, text } = await renderEmail({
 *   template: { subject: 'Hi {{ contact.first_name | default: "there" }}', mjml },
 *   contact: { id: 'c1', email: 'ann@example.com', attributes: { first_name: 'Ann' } },
 *   links: { unsubscribeUrl: 'https://app.example.com/u/TOKEN' },
 * });
 */
export async function renderEmail(input: RenderInput): Promise<RenderedEmail> {
  const { contact, links, tracking } = input;
  const scope = {
    contact: { ...contact.attributes, id: contact.id, email: contact.email ?? '' },
    unsubscribe_url: links.unsubscribeUrl,
    preferences_url: links.preferencesUrl ?? links.unsubscribeUrl,
  };

  const subjectSource = input.subjectOverride ?? input.template.subject;
  const subjectTemplate = remember(subjectCache, subjectSource, () => parse(plainLiquid, subjectSource, 'subject'));
  const subject = render(plainLiquid, subjectTemplate, scope, 'subject').replace(/\s+/g, ' ').trim();

  const compiled = await compiledTemplate(input.template.mjml);
  let html: string;
  let text: string;
  if (compiled.mode === 'precompiled') {
    html = render(htmlLiquid, compiled.html, scope, 'mjml');
    text = compiled.text ? render(plainLiquid, compiled.text, scope, 'mjml') : htmlToText(html);
  } else {
    html = (await compileMjml(render(htmlLiquid, compiled.mjml, scope, 'mjml'))).html;
    text = htmlToText(html);
  }

  // Every email links to the preference center and to unsubscribing: the footer adds what is missing.
  const footerLinks = (
    input.footer === false
      ? []
      : [
          { label: 'Email preferences', url: links.preferencesUrl },
          { label: 'Unsubscribe', url: links.unsubscribeUrl },
        ]
  ).filter((l): l is { label: string; url: string } => l.url !== undefined);
  const htmlFooter = footerLinks.filter((l) => !html.includes(escapeHtml(l.url)));
  if (htmlFooter.length > 0) html = insertBeforeBodyEnd(html, linksFooter(htmlFooter));
  const untracked = new Set([links.unsubscribeUrl, links.preferencesUrl]);
  const track = (url: string, index: number) =>
    tracking && /^https?:\/\//i.test(url) && !untracked.has(url) ? tracking.clickUrl(url, index) : undefined;
  text = replaceMarkedLinks(text, track)
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  const textFooter = footerLinks.filter((l) => !text.includes(l.url)).map((l) => `${l.label}: ${l.url}`);
  if (textFooter.length > 0) text += `\n\n${textFooter.join('\n')}`;
  if (tracking) html = insertBeforeBodyEnd(rewriteLinks(html, track), openPixel(tracking.openUrl));
  return { subject, html, text: `${text}\n`, warnings: compiled.warnings };
}
