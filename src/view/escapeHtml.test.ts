import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeHtml } from './escapeHtml.js';

test('escapeHtml: the five characters, nothing else', () => {
  assert.equal(escapeHtml(`<a href="x">Tom & 'Jerry'</a> é`), '&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt; é');
});
