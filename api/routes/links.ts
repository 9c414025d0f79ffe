/**
 * GET /l/{code}: where a tracked link in an SMS lands. Public — the person clicking has no
 * key — so it answers only a redirect or a bare 404, never which tenant or chase it belongs to.
 */
import express from 'express';
import type { Deps } from '../../core/deps.ts';
import { followLink } from '../../core/links/links.ts';
import { systemClock } from '../../core/deps.ts';

export function linkRoutes(deps: Deps): express.Router {
  const router = express.Router();
  const clock = deps.clock ?? systemClock;

  router.get('/l/:code', async (req, res) => {
    const target = await followLink(deps, req.params.code, { userAgent: req.get('user-agent'), at: clock.now() });
    // no-store: a cached redirect would send later clicks on without counting them.
    res.set('Cache-Control', 'no-store');
    if (!target) {
      res.status(404).type('text/plain').send('This link is unknown or has expired.');
      return;
    }
    res.redirect(302, target);
  });
  return router;
}
