/// The pages' Mustache templates. Every `{{value}}` is escaped by ``SafeHTML`` (each template starts by
/// choosing it); `{{{value}}}` is used only for HTML this module built and escaped itself (a comment's
/// text with its marks, the digest) and for values a form sends back, which are only escaped
/// (`…_value`, through ``UntrustedText/htmlEscaped(_:)``) so they come back exactly as they were.
/// No inline scripts or styles: the Content-Security-Policy allows only `/ui/assets/`.
enum Templates {
    static let all: [String: String] = [
        "layout": layout, "login": login, "password": password, "queue": queue, "comment": comment,
        "articles": articles, "digest": digest, "message": message,
    ]

    static let layout = #"""
        {{%CONTENT_TYPE:SAFEHTML}}
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · Moderato{{#site}} · {{site}}{{/site}}</title>
        <link rel="stylesheet" href="/ui/assets/app.css">
        <script src="/ui/assets/app.js" defer></script>
        </head>
        <body data-page="{{page}}">
        <header class="bar">
          <a class="brand" href="/ui/">Moderato{{#site}} <span>{{site}}</span>{{/site}}</a>
          {{#signed_in}}
          <nav>
            <a href="/ui/queue" {{#nav_held}}aria-current="page"{{/nav_held}}>Held <span class="count" id="held-count">{{held_count}}</span></a>
            <a href="/ui/queue?reported=1" {{#nav_reported}}aria-current="page"{{/nav_reported}}>Reported <span class="count">{{reported_count}}</span></a>
            <a href="/ui/articles" {{#nav_articles}}aria-current="page"{{/nav_articles}}>Articles</a>
            <a href="/ui/digest" {{#nav_digest}}aria-current="page"{{/nav_digest}}>Digest</a>
          </nav>
          <form method="post" action="/ui/logout" class="who">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <span>{{moderator_name}}</span> <button type="submit" class="link">Sign out</button>
          </form>
          {{/signed_in}}
        </header>
        {{#notice}}<p class="notice" role="status" id="notice">{{notice}}</p>{{/notice}}
        {{#error}}<p class="problem" role="alert" id="error">{{error}}</p>{{/error}}
        <main>
        {{$main}}{{/main}}
        </main>
        {{#signed_in}}<footer><button type="button" class="link" data-help>Keyboard shortcuts (?)</button></footer>{{/signed_in}}
        </body>
        </html>
        """#

    static let login = #"""
        {{%CONTENT_TYPE:SAFEHTML}}
        {{<layout}}{{$main}}
        <form method="post" action="/ui/login" class="card narrow" id="login">
          <h1>Sign in</h1>
          <input type="hidden" name="csrf" value="{{login_csrf}}">
          <input type="hidden" name="next" value="{{next}}">
          <label>Name <input name="name" id="name" autocomplete="username" required autofocus value="{{name}}"></label>
          <label>Password <input name="password" id="password" type="password" autocomplete="current-password" required></label>
          <button type="submit" class="primary">Sign in</button>
          <p class="muted">No account? An administrator makes one with <code>modctl moderator add NAME</code>.</p>
        </form>
        {{/main}}{{/layout}}
        """#

    static let password = #"""
        {{%CONTENT_TYPE:SAFEHTML}}
        {{<layout}}{{$main}}
        <form method="post" action="/ui/password" class="card narrow" id="change-password">
          <h1>Choose your password</h1>
          {{#must_change}}<p>The password you were given works once: choose your own to go on.</p>{{/must_change}}
          <input type="hidden" name="csrf" value="{{csrf}}">
          <label>Current password <input name="current" type="password" autocomplete="current-password" required></label>
          <label>New password <input name="new" type="password" autocomplete="new-password" required minlength="{{minimum_length}}"></label>
          <label>New password again <input name="again" type="password" autocomplete="new-password" required></label>
          <p class="muted">At least {{minimum_length}} characters.</p>
          <button type="submit" class="primary">Save</button>
        </form>
        {{/main}}{{/layout}}
        """#

    static let queue = #"""
        {{%CONTENT_TYPE:SAFEHTML}}
        {{<layout}}{{$main}}
        <div class="heading">
          <h1>{{heading}}</h1>
          <p class="muted">{{summary}}</p>
          {{^reported}}{{#has_comments}}
          <form method="post" action="/ui/next" class="inline">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <button type="submit" class="primary" id="start-review" data-key="n">Review one by one <kbd>n</kbd></button>
          </form>
          {{/has_comments}}{{/reported}}
        </div>
        <form method="get" action="/ui/queue" class="filters">
          {{#reported}}<input type="hidden" name="reported" value="1">{{/reported}}
          <label>Article <input name="article" value="{{filter_article}}"></label>
          <label>Author <input name="author" value="{{filter_author}}"></label>
          <label>Rule <input name="rule" value="{{filter_rule}}"></label>
          <label>Older than <input name="older_than" value="{{filter_older_than}}" placeholder="2h, 1d" size="6"></label>
          <button type="submit">Filter</button> {{#filtered}}<a href="/ui/queue{{#reported}}?reported=1{{/reported}}">Clear</a>{{/filtered}}
        </form>
        {{#has_comments}}
        <table class="queue" id="queue">
          <thead><tr><th>Comment</th><th>Waiting</th><th>Article</th><th>Author</th><th class="num">Score</th><th>Why</th><th></th></tr></thead>
          <tbody>
          {{#comments}}
          <tr data-href="/ui/comment?id={{path_id}}">
            <td class="text"><a href="/ui/comment?id={{path_id}}">{{id}}</a>{{#status_label}} <span class="status {{status}}">{{status_label}}</span>{{/status_label}}<div class="excerpt">{{excerpt}}</div></td>
            <td>{{age}}</td>
            <td><a href="/ui/queue?article={{article_query}}">{{article}}</a></td>
            <td><a href="/ui/queue?author={{author_query}}">{{author}}</a></td>
            <td class="num">{{score}}</td>
            <td>{{#report_line}}<span class="flag">⚑ {{report_line}}</span> {{/report_line}}{{#reasons}}<code>{{.}}</code> {{/reasons}}</td>
            <td>{{#claimed_by}}<span class="claim">{{claimed_by}} is on it</span>{{/claimed_by}}</td>
          </tr>
          {{/comments}}
          </tbody>
        </table>
        {{/has_comments}}
        {{^has_comments}}<p class="empty" id="empty">{{empty}}</p>{{/has_comments}}
        {{/main}}{{/layout}}
        """#

    static let comment = #"""
        {{%CONTENT_TYPE:SAFEHTML}}
        {{<layout}}{{$main}}
        <article class="comment" id="comment" data-id="{{id}}">
          <div class="heading">
            <h1>Comment <code>{{id}}</code> <span class="status {{status}}" id="status">{{status}}</span>{{#score}} <span class="muted">score {{score}}</span>{{/score}}</h1>
            {{#claimed_by}}<p class="claim" id="claimed">{{claimed_by}} is looking at this comment too.</p>{{/claimed_by}}
          </div>
          <p class="meta">On <a href="/ui/queue?article={{article_query}}">{{article}}</a>{{#article_url}} · <span class="url">{{article_url}}</span>{{/article_url}} · article {{article_mode}}</p>
          <p class="meta">By <strong>{{author}}</strong>{{#email}} &lt;{{email}}&gt;{{/email}}{{#ip}} from {{ip}}{{/ip}} · <span class="stars" aria-label="{{rating}} of 5 stars">{{stars}}</span> ({{rating}}/5)</p>
          <p class="meta">Received {{received}} ({{age}} ago){{#edited}} · edited (revision {{revision}}){{/edited}}</p>
          <blockquote class="body" id="body">{{{body_html}}}</blockquote>
          {{#verdict}}<p><strong>Verdict:</strong> {{verdict}}</p>{{/verdict}}

          {{#decidable}}
          <section class="actions" id="actions">
            <form method="post" action="/ui/comment/approve" class="inline">
              <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="id" value="{{{id_value}}}"><input type="hidden" name="review" value="{{#review}}1{{/review}}">
              <button type="submit" class="approve" id="approve" data-key="a">Approve <kbd>a</kbd></button>
            </form>
            <form method="post" action="/ui/comment/reject" class="inline" id="reject-form">
              <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="id" value="{{{id_value}}}"><input type="hidden" name="review" value="{{#review}}1{{/review}}">
              <select name="reason" id="reject-reason" aria-label="Reason" data-key="r">
                {{#reasons}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{value}}</option>{{/reasons}}
              </select>
              <input name="note" id="reject-note" placeholder="Note (optional)" maxlength="500">
              <button type="submit" class="reject" id="reject">Reject <kbd>r</kbd></button>
              <button type="submit" name="block" value="1" class="reject subtle" id="block" data-key="b" data-confirm="Reject this comment and block {{author}}?">Reject and block author <kbd>b</kbd></button>
            </form>
            {{#review}}
            <form method="post" action="/ui/comment/skip" class="inline">
              <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="id" value="{{{id_value}}}">
              <button type="submit" id="skip" data-key="s">Skip <kbd>s</kbd></button>
            </form>
            {{/review}}
          </section>
          {{/decidable}}
          {{#undoable}}
          <form method="post" action="/ui/comment/undo" class="inline" id="undo-form">
            <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="id" value="{{{id_value}}}">
            <button type="submit" id="undo" data-key="u">Undo my {{undoable}} <kbd>u</kbd></button>
          </form>
          {{/undoable}}

          <details class="edit" id="edit-section" {{#editing}}open{{/editing}}>
            <summary data-key="e">Edit or redact the text <kbd>e</kbd></summary>
            <form method="post" action="/ui/comment/edit" id="edit-form">
              <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="id" value="{{{id_value}}}"><input type="hidden" name="revision" value="{{revision}}">
              <input type="hidden" name="review" value="{{#review}}1{{/review}}">
              <textarea name="body" id="edit-body" rows="6">&#10;{{{body_value}}}</textarea>
              <input name="reason" placeholder="Why (kept with the revision)" maxlength="500">
              <button type="submit" id="save-edit">Save the edit</button>
              {{#decidable}}<button type="submit" name="approve" value="1" class="approve" id="save-and-approve">Save and approve</button>{{/decidable}}
            </form>
            <form method="post" action="/ui/comment/redact" id="redact-form">
              <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="id" value="{{{id_value}}}"><input type="hidden" name="revision" value="{{revision}}">
              <label>Replace with [removed] <input name="text" id="redact-text" placeholder="select it in the text above, or type it" required></label>
              <input name="reason" id="redact-reason" placeholder="Why (required)" required maxlength="500">
              <button type="submit" id="redact">Redact</button>
            </form>
          </details>

          <section id="signals">
            <h2>Signals</h2>
            {{^signals}}<p class="muted">Nothing in this comment matched a rule or heuristic.</p>{{/signals}}
            <ul class="signals">
            {{#signals}}<li><span class="effect {{effect_class}}">{{effect}}</span> <code>{{name}}</code>{{#shadow}} <span class="muted">(shadow, not counted)</span>{{/shadow}}<div>{{explanation}}</div></li>{{/signals}}
            </ul>
          </section>

          {{#has_reports}}
          <section id="reports">
            <h2>Reports <span class="muted">{{reports_summary}}</span></h2>
            <ul class="reports">
            {{#reports}}<li><span class="flag">{{reason}}</span> by <strong>{{reporter}}</strong> · {{at}} · counts {{weight}} (trust now {{trust}}: {{upheld}} upheld, {{dismissed}} dismissed){{#outcome}} · {{outcome}}{{/outcome}}{{#note}}<div class="note">“{{note}}”</div>{{/note}}</li>{{/reports}}
            </ul>
          </section>
          {{/has_reports}}

          {{#has_revisions}}
          <section id="revisions">
            <h2>Revisions</h2>
            <ol class="revisions">
            {{#revisions}}<li>{{at}} · {{who}}{{#reason}}: {{reason}}{{/reason}}<div class="was">was: {{previous}}</div></li>{{/revisions}}
            </ol>
          </section>
          {{/has_revisions}}

          <section id="history">
            <h2>History</h2>
            <ol class="history">
            {{#history}}<li><span class="muted">#{{seq}} {{at}}</span> {{#from}}{{from}} → {{/from}}<strong>{{status}}</strong> by {{actor}}{{#kind}} ({{kind}}){{/kind}}{{#reason}}: {{reason}}{{/reason}}{{#note}} — {{note}}{{/note}}</li>{{/history}}
            </ol>
          </section>

          <details id="context" data-key="o">
            <summary>The author and their network <kbd>o</kbd></summary>
            <p>{{author_summary}}</p>
            <ul class="related">{{#by_author}}<li><a href="/ui/comment?id={{path_id}}">{{id}}</a> <span class="status {{status}}">{{status}}</span> {{excerpt}}</li>{{/by_author}}</ul>
            {{#network}}<p>Same network ({{network}}):{{^by_network}} no other authors nearby.{{/by_network}}</p>
            <ul class="related">{{#by_network}}<li><a href="/ui/comment?id={{path_id}}">{{id}}</a> {{author}} <span class="status {{status}}">{{status}}</span> {{excerpt}}</li>{{/by_network}}</ul>{{/network}}
          </details>
        </article>
        {{/main}}{{/layout}}
        """#

    static let articles = #"""
        {{%CONTENT_TYPE:SAFEHTML}}
        {{<layout}}{{$main}}
        <h1>Articles</h1>
        <p class="muted">Premoderate holds every new comment on an article; closed refuses them. The website learns of neither: it still sends comments, and they wait or are rejected here.</p>
        <form method="post" action="/ui/articles" class="filters" id="article-form">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <label>Article id <input name="article" required></label>
          <select name="mode" aria-label="Mode">{{#modes}}<option value="{{.}}">{{.}}</option>{{/modes}}</select>
          <button type="submit">Set</button>
        </form>
        <table class="articles" id="articles">
          <thead><tr><th>Article</th><th class="num">Comments</th><th class="num">Held</th><th>Mode</th><th>Changed</th></tr></thead>
          <tbody>
          {{#articles}}
          <tr>
            <td><a href="/ui/queue?article={{article_query}}">{{article}}</a></td><td class="num">{{comments}}</td><td class="num">{{held}}</td>
            <td><form method="post" action="/ui/articles" class="inline">
              <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="article" value="{{{article_value}}}">
              <select name="mode" aria-label="Mode of {{article}}">{{#mode_options}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{value}}</option>{{/mode_options}}</select>
              <button type="submit">Set</button></form></td>
            <td class="muted">{{changed}}</td>
          </tr>
          {{/articles}}
          </tbody>
        </table>
        {{/main}}{{/layout}}
        """#

    static let digest = #"""
        {{%CONTENT_TYPE:SAFEHTML}}
        {{<layout}}{{$main}}
        <form method="get" action="/ui/digest" class="filters">
          <label>Period <select name="since">{{#periods}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{label}}</option>{{/periods}}</select></label>
          <button type="submit">Show</button>
        </form>
        <div class="digest" id="digest">{{{digest_html}}}</div>
        {{/main}}{{/layout}}
        """#

    static let message = #"""
        {{%CONTENT_TYPE:SAFEHTML}}
        {{<layout}}{{$main}}
        <div class="card narrow" id="message">
          <h1>{{heading}}</h1>
          <p>{{text}}</p>
          <p><a href="{{link}}">{{link_text}}</a></p>
        </div>
        {{/main}}{{/layout}}
        """#
}
