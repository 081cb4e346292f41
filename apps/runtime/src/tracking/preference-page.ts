import { type PreferenceState, pauseDays } from '../audience/preferences.ts';
import { escapeHtml } from '../templates/html.ts';
import { page } from './pages.ts';

/** A date as `YYYY-MM-DD` (UTC), the same for every reader whatever their locale. */
function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function radio(name: string, value: string, checked: boolean, label: string, hint = ''): string {
  const id = `${name}-${value}`;
  return `<div class="choice"><input type="radio" id="${id}" name="${name}" value="${escapeHtml(value)}"${checked ? ' checked' : ''}>
<label for="${id}">${escapeHtml(label)}${hint ? `<span class="hint">${escapeHtml(hint)}</span>` : ''}</label></div>`;
}

/**
 * The preference center: the workspace's topics (a checkbox each), how often to get marketing
 * email, a pause, and unsubscribing from everything. Plain forms posting back to the same signed
 * URL, so it works without JavaScript; every value shown is escaped.
 */
export function preferencePage(state: PreferenceState, notice?: string): string {
  const from = escapeHtml(state.workspaceName);
  const who = state.email ? ` for <strong>${escapeHtml(state.email)}</strong>` : '';
  const saved = notice ? `<p class="notice" role="status">${escapeHtml(notice)}</p>` : '';
  if (state.suppressed)
    return page(
      'Email preferences',
      `<h1>Email preferences</h1>${saved}
<p>You're unsubscribed from all email from ${from}${who}. Nothing more will be sent to this address.</p>`,
    );

  const topicList =
    state.topics.length === 0
      ? '<p>There are no topics to choose from.</p>'
      : state.topics
          .map((t, i) => {
            const id = `topic-${i}`;
            const hint = t.description ? `<span class="hint" id="${id}-hint">${escapeHtml(t.description)}</span>` : '';
            return `<div class="choice"><input type="hidden" name="topics" value="${escapeHtml(t.id)}">
<input type="checkbox" id="${id}" name="subscribed" value="${escapeHtml(t.id)}"${t.subscribed ? ' checked' : ''}${t.description ? ` aria-describedby="${id}-hint"` : ''}>
<label for="${id}">${escapeHtml(t.name)}${hint}</label></div>`;
          })
          .join('\n');

  const waiting = state.heldForDigest === 1 ? 'One email is' : `${state.heldForDigest} emails are`;
  const held =
    state.heldForDigest > 0
      ? `<p class="hint">${waiting} waiting for your next digest. Choosing another option sends ${state.heldForDigest === 1 ? 'it' : 'them'} to you now, in one email.</p>`
      : '';
  const pausing = state.pausedUntil
    ? radio('pause', 'keep', true, `Stay paused until ${day(state.pausedUntil)}`) +
      radio('pause', 'none', false, 'Resume email now')
    : radio('pause', 'none', true, "Don't pause");
  const pauseChoices = pauseDays.map((d) => radio('pause', String(d), false, `Pause all email for ${d} days`)).join('');

  return page(
    'Email preferences',
    `<h1>Email preferences</h1>${saved}
<p>Choose what ${from} sends you${who}.</p>
<form method="post">
<input type="hidden" name="action" value="save">
<fieldset><legend>Topics</legend>
${topicList}
</fieldset>
<fieldset><legend>How often</legend>
${radio('frequency', 'every', state.frequency === 'every', 'Every email')}
${radio('frequency', 'weekly', state.frequency === 'weekly', 'At most one email a week', 'After one newsletter or offer in any 7 days, the others are skipped, not sent later. Receipts and other service emails still arrive.')}
${radio('frequency', 'digest', state.frequency === 'digest', 'A weekly digest instead of every email', 'Newsletters and offers are gathered into one email, sent a week after the first of them. Receipts and other service emails still arrive at once.')}
${held}
</fieldset>
<fieldset><legend>Pause</legend>
${state.pausedUntil ? `<p>Email is paused until <time datetime="${state.pausedUntil.toISOString()}">${day(state.pausedUntil)}</time>.</p>` : ''}
${pausing}${pauseChoices}
</fieldset>
<button type="submit">Save preferences</button>
</form>
<hr>
<form method="post">
<input type="hidden" name="action" value="unsubscribe">
<p>Or stop all email from ${from}.</p>
<button type="submit" class="danger">Unsubscribe from all</button>
</form>`,
  );
}

/** The page shown for a form post that does not make sense, naming the field at fault. */
export function invalidChoicePage(field: string, message: string): string {
  return page(
    'Preferences not saved',
    `<h1>Your preferences were not saved</h1><p role="alert"><strong>${escapeHtml(field)}</strong>: ${escapeHtml(message)}</p><p>Go back and try again.</p>`,
  );
}
