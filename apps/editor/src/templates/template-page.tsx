import { lazy, Suspense } from 'react';
import { useStrings } from '../strings.ts';
import type { TemplateDesignerProps } from './template-designer.tsx';

// GrapesJS and MJML are large: they load only when a template is opened, not with the journey canvas.
const TemplateDesigner = lazy(() => import('./template-designer.tsx'));

/** The template designer, loaded on demand. */
export function TemplatePage(props: TemplateDesignerProps) {
  const s = useStrings();
  return (
    <Suspense fallback={<p className="wm-page-message wm-muted">{s.loading}</p>}>
      <TemplateDesigner {...props} />
    </Suspense>
  );
}
