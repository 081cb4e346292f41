import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { type ApprovalHistoryEntry, createApiClient } from '../api/client.ts';
import { DecisionHistory } from './decision-history.tsx';

afterEach(cleanup);

const decision = (contactId: string): ApprovalHistoryEntry => ({
  journeyId: 'welcome',
  contactId,
  node: 'review',
  runId: `run-${contactId}`,
  decision: 'approved',
  decidedAt: '2026-11-30T10:00:00.000Z',
  decidedBy: { actor: 'editor:u_1', credential: 'editor', user: { id: 'u_1' }, reviewerLabel: null },
  subjects: null,
  edited: false,
  note: null,
});

/** The runtime's `GET /v1/approvals/history`, answering each request only when the test says how. */
function historyServer() {
  const requests: { url: string; answer: (body: unknown) => void }[] = [];
  const fetch = (input: RequestInfo | URL) =>
    new Promise<Response>((resolve) =>
      requests.push({
        url: String(input),
        answer: (body) =>
          resolve(new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } })),
      }),
    );
  const api = createApiClient({ apiUrl: 'http://waymark.test', token: 't', fetch });
  const answer = (n: number, body: unknown) =>
    act(async () => {
      requests[n]?.answer(body);
      await new Promise((r) => setTimeout(r, 0));
    });
  return { api, requests, answer };
}

const contacts = () => screen.queryAllByRole('row').flatMap((r) => r.querySelector('td code')?.textContent ?? []);

describe('DecisionHistory', () => {
  it('keeps the newest list when an older load answers late', async () => {
    const server = historyServer();
    const props = { api: server.api, journeyName: (id: string) => id };
    const { rerender } = render(<DecisionHistory {...props} reloadKey={0} />);
    // Refresh before the first load has answered; the refresh answers first.
    rerender(<DecisionHistory {...props} reloadKey={1} />);
    expect(server.requests).toHaveLength(2);
    await server.answer(1, { decisions: [decision('new')], next: null });
    expect(contacts()).toEqual(['new']);
    await server.answer(0, { decisions: [decision('stale')], next: null });
    expect(contacts()).toEqual(['new']);
  });
});
