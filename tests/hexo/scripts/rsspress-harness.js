/* global hexo */
// Harness helper (not part of a real blog). It
//  1. adds one extra output file, public/rsspress-manifest.json, listing what
//     Hexo made of every post: source file, parsed title/date/categories, the
//     output file (check-posts.sh counts the pages on disk from it) and "lint":
//     silent problems Hexo does not report (see docs/hexo-posts.md);
//  2. names the post when rendering fails: Hexo's own Nunjucks error says only
//     "Template render error: (unknown path)" and aborts the whole build.
//     By default the harness logs an ERROR and goes on, so that every bad post
//     of a batch is reported; HARNESS_STRICT=1 keeps Hexo's abort.
'use strict';

const yfm = require('hexo-front-matter');

// Same test Hexo uses (hexo/dist/hexo/post.js) to decide whether a post body
// goes through Nunjucks at all.
const rSwigTag = /(\{\{.+?\}\})|(\{#.+?#\})|(\{%.+?%\})/s;

const origRender = hexo.post.render;
hexo.post.render = function (source, data = {}, callback) {
  return origRender.call(this, source, data)
    .catch(err => {
      const where = data.source || source;
      let msg = String(err && err.message || err).split('\n').map(s => s.trim()).filter(Boolean).join(' ');
      if (!msg.includes(where)) msg = where + ': ' + msg;
      hexo.log.error('rsspress-harness: render failed (real Hexo aborts the whole build here): %s', msg);
      if (process.env.HARNESS_STRICT === '1') throw err;
      data.content = '';
      return data;
    })
    .asCallback(callback);
};

function lint(p) {
  const problems = [];
  let fm = {};
  const split = yfm.split(p.raw || '');
  if (!split.data) {
    problems.push('no front matter block found (whole file became the body)');
  } else {
    try { fm = yfm.parse(p.raw); } catch (e) { fm = {}; }
  }
  if (p.title === undefined || p.title === null || String(p.title).trim() === '') {
    problems.push('empty or missing title');
  }
  if (/<\/?[a-zA-Z!]/.test(String(p.title || ''))) {
    problems.push('title contains HTML tags: Volantis writes titles unescaped into alt="", JSON-LD and share links');
  }
  const d = fm.date;
  if (d === undefined || d === null || d === '') {
    problems.push('no date in front matter: Hexo used the file time');
  } else if (isNaN(new Date(d).getTime())) {
    problems.push(`date ${JSON.stringify(String(d))} is not parseable: Hexo silently used the file time`);
  }
  const body = split.content !== undefined ? split.content : (p.raw || '');
  if (fm.disableNunjucks !== true) {
    // {% raw %}...{% endraw %} is a deliberate escape: leave such spans out
    const m = body.replace(/\{%-?\s*raw\s*-?%\}[\s\S]*?\{%-?\s*endraw\s*-?%\}/g, '').match(rSwigTag);
    if (m) problems.push(`Nunjucks syntax in body (${JSON.stringify(m[0].slice(0, 40))}): Hexo renders it, ` +
      'silently changing the text or aborting the build; escape { } as &#123; &#125;');
  }
  if (/[#?%\\]/.test(p.path)) {
    problems.push(`post URL ${JSON.stringify(p.path)} has # ? % or \\ (from the file name): links to it break`);
  }
  const html = String(p.content || '');
  if (/<pre><code/.test(html) && !/<pre|```|~~~/.test(body)) {
    problems.push('markdown turned indented lines into a <pre><code> block (indented text after a blank line)');
  }
  return problems;
}

hexo.extend.generator.register('rsspress_manifest', function (locals) {
  const ctx = this;
  return {
    path: 'rsspress-manifest.json',
    // data is evaluated lazily, when files are written, so every route exists.
    data: () => {
      const routes = new Set(ctx.route.list());
      const posts = locals.posts.toArray().map(p => {
        const out = ctx.route.format(p.path);
        return {
          source: p.source,
          title: p.title,
          date: p.date ? p.date.toISOString() : null,
          date_local: p.date ? p.date.format() : null,
          updated: p.updated ? p.updated.toISOString() : null,
          slug: p.slug,
          path: p.path,
          out_file: out,
          routed: routes.has(out),
          categories: p.categories.toArray().map(c => c.path),
          tags: p.tags.toArray().map(t => t.name),
          published: p.published,
          lint: lint(p)
        };
      });
      const categories = locals.categories.toArray().map(c => ({
        name: c.name,
        path: c.path,
        parent: c.parent ? (locals.categories.findOne({ _id: c.parent }) || {}).name || c.parent : null,
        posts: c.posts.length,
        out_file: ctx.route.format(c.path),
        routed: routes.has(ctx.route.format(c.path))
      }));
      return JSON.stringify({ timezone: ctx.config.timezone || '', tz_env: process.env.TZ || '',
        posts, categories }, null, 1);
    }
  };
});
