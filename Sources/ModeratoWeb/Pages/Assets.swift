/// The stylesheet and the script every page loads from `/ui/assets/` (nothing from elsewhere).
enum Assets {
    static let css = #"""
        :root { --ink: #1c2024; --muted: #626b73; --line: #dfe3e6; --paper: #ffffff; --wash: #f5f6f7;
                --approve: #2e7d32; --held: #b37f00; --reject: #c62828; --accent: #1f5fa8; --mark: #ffe08a; }
        * { box-sizing: border-box; }
        body { margin: 0; background: var(--wash); color: var(--ink); font: 15px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
        a { color: var(--accent); }
        code, kbd { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.9em; }
        kbd { border: 1px solid var(--line); border-bottom-width: 2px; border-radius: 3px; padding: 0 4px; background: var(--paper); color: var(--muted); font-size: 0.75em; }
        .bar { display: flex; align-items: center; gap: 24px; padding: 10px 24px; background: var(--ink); color: #fff; }
        .bar a { color: #fff; text-decoration: none; }
        .brand { font-weight: 700; } .brand span { font-weight: 400; opacity: 0.8; }
        nav { display: flex; gap: 18px; flex: 1; }
        nav a { opacity: 0.85; padding: 2px 0; } nav a[aria-current] { opacity: 1; border-bottom: 2px solid #fff; }
        .count { background: rgba(255,255,255,0.18); border-radius: 9px; padding: 0 7px; font-size: 0.85em; }
        .who { display: flex; gap: 8px; align-items: center; margin: 0; }
        .who button { color: #fff; }
        main { max-width: 1100px; margin: 0 auto; padding: 20px 24px 40px; }
        footer { text-align: center; padding-bottom: 24px; }
        h1 { font-size: 1.45em; margin: 0 0 6px; } h2 { font-size: 1.1em; margin: 24px 0 8px; }
        .heading { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 16px; margin-bottom: 12px; }
        .heading h1 { margin-right: auto; }
        .muted { color: var(--muted); }
        .card { background: var(--paper); border: 1px solid var(--line); border-radius: 8px; padding: 24px; }
        .narrow { max-width: 420px; margin: 40px auto; }
        .narrow label { display: block; margin: 12px 0; } .narrow input { display: block; width: 100%; margin-top: 4px; }
        input, select, textarea, button { font: inherit; }
        input, select, textarea { border: 1px solid #b9c0c6; border-radius: 5px; padding: 5px 8px; background: var(--paper); }
        textarea { width: 100%; display: block; margin: 6px 0; }
        button { border: 1px solid #b9c0c6; border-radius: 5px; padding: 5px 12px; background: var(--paper); cursor: pointer; }
        button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
        button.approve { background: var(--approve); border-color: var(--approve); color: #fff; }
        button.reject { background: var(--reject); border-color: var(--reject); color: #fff; }
        button.reject.subtle { background: var(--paper); color: var(--reject); }
        button kbd { background: transparent; color: inherit; border-color: rgba(255,255,255,0.5); }
        button.link { border: 0; background: none; padding: 0; color: var(--accent); text-decoration: underline; }
        .inline { display: inline-flex; flex-wrap: wrap; gap: 6px; align-items: center; margin: 0 8px 8px 0; }
        .filters { display: flex; flex-wrap: wrap; gap: 10px; align-items: end; margin: 0 0 16px; }
        .filters label { display: flex; flex-direction: column; font-size: 0.85em; color: var(--muted); }
        .notice, .problem { max-width: 1052px; margin: 16px auto 0; padding: 8px 14px; border-radius: 6px; }
        .notice { background: #e7f3e8; border-left: 4px solid var(--approve); }
        .problem { background: #fdecea; border-left: 4px solid var(--reject); }
        table { width: 100%; border-collapse: collapse; background: var(--paper); border: 1px solid var(--line); border-radius: 8px; }
        th, td { text-align: left; padding: 8px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { font-size: 0.8em; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); font-weight: 600; }
        .num { text-align: right; }
        tr[data-href] { cursor: pointer; } tr[data-href]:hover, tr.selected { background: #eef4fb; }
        tr.selected { outline: 2px solid var(--accent); outline-offset: -2px; }
        table.queue td:nth-child(2), table.queue td:nth-child(3), table.queue td:nth-child(4) { white-space: nowrap; }
        td.text { max-width: 460px; } .excerpt { color: var(--muted); font-size: 0.92em; overflow-wrap: anywhere; }
        .status { display: inline-block; border-radius: 4px; padding: 0 6px; font-size: 0.75em; font-weight: 600; text-transform: uppercase; letter-spacing: 0.04em; color: #fff; background: var(--muted); vertical-align: middle; }
        .status.approved { background: var(--approve); } .status.held { background: var(--held); } .status.rejected { background: var(--reject); }
        .flag { color: var(--reject); font-weight: 600; }
        .claim { color: var(--held); font-size: 0.9em; }
        .empty { background: var(--paper); border: 1px dashed var(--line); border-radius: 8px; padding: 32px; text-align: center; color: var(--approve); font-size: 1.1em; }
        .comment .meta { margin: 2px 0; color: var(--muted); }
        .body { background: var(--paper); border: 1px solid var(--line); border-left: 4px solid var(--accent); border-radius: 6px; margin: 16px 0; padding: 14px 18px; font-size: 1.08em; white-space: pre-wrap; overflow-wrap: anywhere; }
        .body .none { color: var(--muted); font-style: italic; }
        mark { background: var(--mark); border-bottom: 2px solid var(--reject); padding: 0 1px; }
        .actions { display: flex; flex-wrap: wrap; align-items: center; padding: 12px 0 4px; border-top: 1px solid var(--line); border-bottom: 1px solid var(--line); margin: 12px 0; }
        .edit { margin: 12px 0; } .edit summary { cursor: pointer; color: var(--accent); }
        .edit form { margin: 10px 0; display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
        .edit form textarea { flex-basis: 100%; } .edit label { display: flex; gap: 6px; align-items: center; }
        .signals, .reports, .related { list-style: none; padding: 0; margin: 0; }
        .signals li, .reports li { padding: 6px 0; border-bottom: 1px solid var(--line); }
        .effect { display: inline-block; min-width: 3.5em; font-weight: 700; font-family: ui-monospace, Menlo, Consolas, monospace; }
        .effect.positive { color: var(--held); } .effect.action { color: var(--reject); } .effect.negative { color: var(--approve); }
        .note, .was { color: var(--muted); font-size: 0.92em; } .history li, .revisions li { margin: 3px 0; }
        .stars { color: #d49b00; letter-spacing: 1px; }
        #help { position: fixed; right: 24px; bottom: 24px; background: var(--paper); border: 1px solid var(--line); border-radius: 8px; padding: 14px 20px; box-shadow: 0 4px 16px rgba(0,0,0,0.15); }
        #help dl { display: grid; grid-template-columns: auto 1fr; gap: 4px 12px; margin: 0; }
        .digest section { background: var(--paper); border: 1px solid var(--line); border-radius: 8px; padding: 4px 18px 14px; margin: 0 0 16px; }
        .digest header { margin-bottom: 12px; } .digest .period { color: var(--muted); margin: 0; }
        .digest .alert { padding: 8px 12px; background: #fff6e0; border-left: 4px solid #e0a100; }
        .digest svg { display: block; max-width: 100%; height: auto; margin: 8px 0; }
        .digest table { margin: 8px 0; } .digest footer { color: var(--muted); font-size: 0.85em; text-align: left; }
        """#

    /// Keyboard shortcuts as in `modctl review`, selection-to-redaction, confirmations and the queue's
    /// row links. The pages work without it.
    static let javascript = #"""
        "use strict";
        (function () {
          const typing = (el) => el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
          const keyed = (key) => document.querySelector('[data-key="' + key + '"]');
          const help = [["a", "approve"], ["r", "reject (pick a reason, Enter)"], ["b", "reject and block the author"], ["s", "skip"],
                        ["e", "edit or redact"], ["u", "undo"], ["o", "the author and their network"], ["n", "review one by one"],
                        ["j / k", "next / previous comment in a list"], ["Enter", "open it"], ["q", "back to the queue"], ["?", "this help"]];
          function toggleHelp() {
            const open = document.getElementById("help");
            if (open) { open.remove(); return; }
            const box = document.createElement("aside");
            box.id = "help";
            const title = document.createElement("strong");
            title.textContent = "Keyboard shortcuts";
            const list = document.createElement("dl");
            for (const [key, what] of help) {
              const dt = document.createElement("dt"); const k = document.createElement("kbd"); k.textContent = key; dt.appendChild(k);
              const dd = document.createElement("dd"); dd.textContent = what; list.append(dt, dd);
            }
            box.append(title, list);
            document.body.appendChild(box);
          }
          document.addEventListener("click", (event) => {
            const target = event.target;
            if (target.closest("[data-help]")) { toggleHelp(); return; }
            const confirmed = target.closest("[data-confirm]");
            if (confirmed && !window.confirm(confirmed.getAttribute("data-confirm"))) { event.preventDefault(); return; }
            const row = target.closest("tr[data-href]");
            if (row && !target.closest("a, button, input, select")) { window.location = row.getAttribute("data-href"); }
          });
          // Selecting words in the comment fills the redaction field.
          document.addEventListener("mouseup", () => {
            const body = document.getElementById("body"), field = document.getElementById("redact-text");
            const selection = window.getSelection();
            if (!body || !field || !selection || selection.isCollapsed || !body.contains(selection.anchorNode)) return;
            field.value = selection.toString();
            document.getElementById("edit-section").open = true;
          });
          let selected = -1;
          function select(rows, index) {
            if (!rows.length) return;
            selected = Math.max(0, Math.min(rows.length - 1, index));
            rows.forEach((row, i) => row.classList.toggle("selected", i === selected));
            rows[selected].scrollIntoView({ block: "nearest" });
          }
          document.addEventListener("keydown", (event) => {
            if (event.ctrlKey || event.metaKey || event.altKey) return;
            if (event.key === "Escape") { if (typing(document.activeElement)) document.activeElement.blur(); return; }
            if (typing(document.activeElement)) return;
            const rows = Array.from(document.querySelectorAll("tr[data-href]"));
            const key = event.key;
            let handled = true;
            if (key === "?") toggleHelp();
            else if (key === "j") select(rows, selected + 1);
            else if (key === "k") select(rows, selected - 1);
            else if (key === "Enter" && selected >= 0) window.location = rows[selected].getAttribute("data-href");
            else if (key === "q") window.location = "/ui/queue";
            else if (key === "r" && keyed("r")) keyed("r").focus();
            else if (key === "e" && keyed("e")) { document.getElementById("edit-section").open = true; document.getElementById("edit-body").focus(); }
            else if (key === "o" && keyed("o")) keyed("o").open = !keyed("o").open;
            else if (keyed(key) && keyed(key).tagName === "BUTTON") keyed(key).click();
            else handled = false;
            if (handled) event.preventDefault();
          });
          // Enter in the reason list rejects.
          const reason = document.getElementById("reject-reason");
          if (reason) reason.addEventListener("keydown", (event) => {
            if (event.key === "Enter") { event.preventDefault(); document.getElementById("reject").click(); }
          });
        })();
        """#
}
