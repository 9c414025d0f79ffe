/**
 * GET /media/{key}: synthesised audio, fetched by the carrier for `<Play>`. Public — Twilio
 * sends no API key — so it answers only the audio or a bare 404; the key itself (a keyed
 * HMAC, core/dialog/media.ts) is what makes the URL unguessable.
 */
import { createHash } from 'node:crypto';
import express from 'express';
import type { Deps } from '../../core/deps.ts';
import { readAudio } from '../../core/dialog/media.ts';

export function mediaRoutes(deps: Deps): express.Router {
  const router = express.Router();

  router.get('/media/:key', async (req, res) => {
    const found = await readAudio(deps, req.params.key);
    if (!found) {
      res.set('Cache-Control', 'no-store');
      res.status(404).type('text/plain').send('No such audio.');
      return;
    }
    // Derived from the bytes served: a key re-synthesised after eviction may differ.
    const etag = `"${createHash('sha256').update(found.audio).digest('base64url').slice(0, 27)}"`;
    // private: the audio may speak a name, so shared caches (CDNs, proxies) must not keep it.
    res.set({ 'Cache-Control': 'private, max-age=86400', ETag: etag });
    if (req.fresh) {
      res.status(304).end();
      return;
    }
    res.status(200).type(found.contentType).set('Content-Length', String(found.audio.length)).end(found.audio);
  });
  return router;
}
