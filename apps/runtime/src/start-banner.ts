/** What the start banner says about a running runtime. */
export interface BannerFacts {
  url: string;
  signInUrl: string;
  /** The default workspace's key, only when it was generated at this start. */
  apiKey: string | undefined;
  /** Whether WAYMARK_API_KEY is set. */
  keyConfigured: boolean;
}

/**
 * The lines printed when the runtime starts. A generated API key is shown this once; a configured
 * one (WAYMARK_API_KEY) is a secret the operator already has and is never printed.
 */
export function startBanner(facts: BannerFacts): string {
  const lines = [
    '',
    `  Waymark is running at ${facts.url}`,
    `  Open the editor (one-time sign-in link): ${facts.signInUrl}`,
  ];
  if (facts.apiKey !== undefined)
    lines.push(`  API key for the default workspace (generated, shown once, keep it): ${facts.apiKey}`);
  else if (facts.keyConfigured)
    lines.push('  API key: the configured WAYMARK_API_KEY is in use for the default workspace');
  else lines.push('  API key: created on first start (set WAYMARK_API_KEY to add a known key)');
  lines.push('');
  return `${lines.join('\n')}\n`;
}
