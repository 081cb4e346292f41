import { type RenderedEmail, renderEmail } from '../templates/render.ts';

/** What a reviewer sees of the email an approval releases, rendered for the waiting contact. */
export interface ApprovalEmailPreview {
  /** The subject as it goes out (with AI subject lines: the first variant). */
  subject: string;
  /** Every AI subject line, rendered for the contact, when the email takes its subject from them. */
  subjects: string[] | null;
  html: string;
  text: string;
}

/**
 * Renders the email step's template for the contact with the renderer the delivery worker uses,
 * without tracking (links stay as written). The subject is the step's own, or with `subjectFrom: "ai"`
 * the run's generated variants. Throws `RenderError` naming the template field at fault.
 */
export async function renderApprovalEmail(input: {
  step: { subject?: string | undefined; subjectFrom?: string | undefined };
  template: { subject: string; mjml: string };
  contact: { id: string; email: string | null; attributes: Readonly<Record<string, unknown>> };
  variants: readonly string[] | null;
  unsubscribeUrl: string;
}): Promise<ApprovalEmailPreview> {
  const { step, template, contact } = input;
  const links = { unsubscribeUrl: input.unsubscribeUrl };
  const render = (subjectOverride: string | undefined): Promise<RenderedEmail> =>
    renderEmail({ template, contact, links, ...(subjectOverride === undefined ? {} : { subjectOverride }) });
  const variants = step.subjectFrom === 'ai' && input.variants && input.variants.length > 0 ? input.variants : null;
  const first = await render(variants ? variants[0] : step.subject);
  const subjects = variants
    ? [first.subject, ...(await Promise.all(variants.slice(1).map(async (v) => (await render(v)).subject)))]
    : null;
  return { subject: first.subject, subjects, html: first.html, text: first.text };
}
