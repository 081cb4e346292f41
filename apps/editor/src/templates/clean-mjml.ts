/** GrapesJS's automatic ids (`ixyz`, `ixyz-2`) and its `data-gjs-*` bookkeeping attributes. */
const gjsAttribute = /\s+data-gjs-[\w-]+(?:=(?:"[^"]*"|'[^']*'|[^\s>]+))?/g;
const autoId = /\s+id=(["'])i[a-z0-9]{2,8}(?:-\d+)?\1/g;

/**
 * Removes what the designer leaves in exported MJML that must not reach an email: `data-gjs-*`
 * attributes and GrapesJS's generated ids. Ids a person typed (anything not shaped like `i3kd`) stay.
 */
export function cleanMjml(mjml: string): string {
  return mjml.replace(gjsAttribute, '').replace(autoId, '');
}
