/**
 * The Slack node's icon: the package's own SVG, as a data URI, so that the editor draws it without
 * knowing the package (an icon name would have to be in the editor's icon set).
 */
const svg = [
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">',
  '<rect x="9" y="2" width="3.5" height="9" rx="1.75" fill="#36C5F0"/>',
  '<rect x="13" y="9" width="9" height="3.5" rx="1.75" fill="#2EB67D"/>',
  '<rect x="11.5" y="13" width="3.5" height="9" rx="1.75" fill="#ECB22E"/>',
  '<rect x="2" y="11.5" width="9" height="3.5" rx="1.75" fill="#E01E5A"/>',
  '</svg>',
].join('');

/** `data:image/svg+xml,…` of the Slack node's icon. */
export const slackIcon = `data:image/svg+xml,${encodeURIComponent(svg)}`;
