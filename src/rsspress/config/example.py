"""The commented example config that `rsspress init` writes (and `rsspress import`
starts from when there is no config yet): every section, its options and their defaults."""

from __future__ import annotations

EXAMPLE_CONFIG = """\
# rsspress configuration. Relative paths are relative to this file.

output:
  dir: posts            # where posts are written
  format: hexo          # hexo | hugo | jekyll | html (a whole news site)
  profile: default      # default: safe for Hexo; compat: byte for byte like the reference site
# Several outputs at once: a list.
# output:
#   - {dir: source/_posts, format: hexo}
#   - dir: site
#     format: html
#     title: 我的新闻
#     base_url: https://news.example.com/   # where readers reach it (for its feeds)
#     timezone: Asia/Shanghai               # until the reader's browser shows its own zone
#     page_size: 30
#     templates: my-templates               # optional: your own Jinja2 templates

state: state.db         # SQLite file that remembers feeds and published items
# state: postgresql://rsspress@db.example.com/news   # or PostgreSQL, shared by several workers

images:
  # Where http:// images go so they load on an https:// site. {url} is the
  # original URL. Remove the line to leave images alone.
  proxy: "https://cors.zfour.workers.dev/?{url}"
  rewrite: http         # which images go through the proxy: http | all | none
  # The cover of an item without images; {n} is a number stable per item.
  placeholder: "https://picsum.photos/400/300?random={n}"

rsshub: https://rsshub.app   # base of every rsshub:/route below
# rsshub:                    # or several instances (your own first), an access key, parameters
#   instances: [https://rsshub.example.com, https://rsshub.app]
#   key: ${RSSHUB_KEY}       # sent as ?code=md5(route + key), never as it is
#   params: {limit: 50}      # RSSHub's parameters for every route (a feed: {rsshub: {...}})

# fetch:                     # optional; the defaults suit hundreds of feeds
#   concurrency: 64          # feeds fetched at once
#   per_host: 8              # at once on one host (RSSHub answers 429 when pushed)
#   connect_timeout: 10
#   read_timeout: 30
#   total_timeout: 60
#   max_bytes: 20971520      # a bigger feed is refused
#   max_redirects: 5
#   page_allow: []           # networks full-text pages may reach (private ones are refused)
#   max_new_items: 200       # new items per feed per fetch, newest first; the rest come later

# content:                   # optional; how the default profile cleans item HTML
#   iframe_hosts: [player.bilibili.com, www.youtube.com, player.vimeo.com]
#   builtin_rules: true      # shipped rules: ZAKER, cnBeta, 掘金, DockOne, IT之家 ...
#   max_body_chars: 1000000  # a longer item body is not mirrored: its post links to the source
#   rules:                   # your own, applied before the shipped ones
#     - hosts: [example.com]           # items linking to this host (or a subdomain) ...
#       feeds: [科技资讯/IT之家]        # ... or in this group, group/site or group/site/feed
#       remove: [".ad", "#comments"]   # CSS selectors of junk
#       keep_only: "article"           # the article; everything else goes
#       lazy_attrs: [data-lazy]        # where lazy images keep their real URL
#       keep_style: false              # keep harmless style attributes
#       fulltext_selector: ".article"  # the article on this site's pages (for fulltext feeds)
#   filters:                 # drop or keep items; a value is a keyword or a /regex/
#     - drop: {title: [广告, 推广]}
#     - drop: {older_than: 30d}
#     - keep: {categories: 手机}
#       feeds: [科技资讯/IT之家]

# daemon:                    # optional; how `rsspress daemon` runs for months
#   min_interval: 5m         # a feed is polled as often as it publishes, within these bounds
#   max_interval: 24h        # (and never sooner than its ttl, Cache-Control or Retry-After)
#   dead_after: 7d           # failing for this long (or HTTP 410): dead, until `run --force`
#   publish_every: 10m       # build the HTML site this often when there is news ...
#   publish_after: 100       # ... or as soon as this many new items wait
#   post_publish: "hexo generate && hexo deploy"   # run after each publish (in this folder)
#   metrics_listen: 127.0.0.1:9464                # Prometheus /metrics
#   lease: 10m               # with PostgreSQL, several daemons share the feeds: each takes
#   claim: 100               # this many at a time, for this long at most (a killed one's return)

# retention:                 # optional; posts stay for ever unless you say
#   days: 90                 # remove the posts of items older than this
#   per_feed: 500            # keep only the newest N posts of each feed
# (removed items are remembered: they never come back)

# group -> site -> feed name: URL. The three names become the post's
# categories; the site's name is its author.
feeds:
  新媒体:
    ZAKER:
      channel: rsshub:/zaker/channel/13
  科技资讯:
    IT之家:
      最新: https://www.ithome.com/rss/
    cnBeta:
      最新:                       # a feed with options
        url: rsshub:/cnbeta
        fulltext: true            # its items are summaries: fetch and extract each article
"""
