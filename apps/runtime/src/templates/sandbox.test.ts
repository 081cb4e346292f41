import { describe, expect, it } from 'vitest';
import { emailDocumentCsp, emailFrame, emailFrameSandbox, emailPreviewDocument } from './sandbox.ts';

describe('email sandboxing', () => {
  it('never allows scripts or same-origin access in the frame', () => {
    expect(emailFrameSandbox).not.toMatch(/allow-scripts|allow-same-origin|allow-forms|allow-top-navigation/);
  });

  it('puts a no-script policy first in the document, before any content', () => {
    const doc = emailPreviewDocument(
      '<!doctype html><html><head><title>x</title></head><body><script>alert(1)</script></body></html>',
    );
    expect(doc.indexOf('Content-Security-Policy')).toBeLessThan(doc.indexOf('<title>'));
    expect(doc).toContain('<base target="_blank">');
    expect(emailDocumentCsp).toContain("default-src 'none'");
    expect(emailDocumentCsp).not.toContain('script-src');
    expect(emailPreviewDocument('<p>fragment</p>')).toMatch(/^<head><meta http-equiv="Content-Security-Policy"/);
  });

  it('builds an iframe whose srcdoc cannot break out of the attribute', () => {
    const frame = emailFrame('<p title="x">"quoted" & <b>bold</b></p>', { title: 'Preview "1"' });
    expect(frame).toMatch(/^<iframe sandbox="allow-popups allow-popups-to-escape-sandbox" /);
    expect(frame).toContain('title="Preview &#34;1&#34;"');
    expect(frame).toContain('&lt;p title=&#34;x&#34;&gt;&#34;quoted&#34; &amp; &lt;b&gt;bold&lt;/b&gt;');
    expect(frame.match(/"/g)?.length).toBe(8);
  });
});
