/** Styles of the sample browser; the rest of the page's styles are in `styles.ts`. */
export const BROWSER_CSS = `
.sb-controls { display: flex; flex-wrap: wrap; gap: 8px 14px; align-items: center; margin: 10px 0; font-size: 0.88rem; }
.sb-controls select, .sb-controls input { font: inherit; color: inherit; background: var(--bg);
  border: 1px solid var(--line); border-radius: 6px; padding: 3px 6px; }
.sb-search { flex: 1 1 260px; display: flex; gap: 6px; align-items: center; }
.sb-search input { flex: 1; }
.sb-list { border: 1px solid var(--line); border-radius: 8px; overflow: hidden; font-size: 0.86rem; }
.sb-row { display: grid; grid-template-columns: 96px minmax(90px, 1.3fr) minmax(70px, 0.8fr) 62px minmax(90px, 1fr) 50px 62px 72px minmax(120px, 2.2fr);
  gap: 8px; align-items: center; height: 30px; padding: 0 10px; white-space: nowrap; }
.sb-row > span { overflow: hidden; text-overflow: ellipsis; }
.sb-row .num { text-align: right; font-variant-numeric: tabular-nums; }
.sb-head { background: var(--panel); color: var(--muted); font-weight: 600; border-bottom: 1px solid var(--line); }
.sb-head [data-sort] { cursor: pointer; user-select: none; }
.sb-head [aria-sort="ascending"]::after { content: " ▲"; }
.sb-head [aria-sort="descending"]::after { content: " ▼"; }
.sb-scroll { height: 420px; overflow-y: auto; position: relative; }
.sb-scroll:focus-visible { outline: 2px solid var(--accent); outline-offset: -2px; }
.sb-spacer { position: relative; }
.sb-rows { position: absolute; top: 0; left: 0; right: 0; }
.sb-rows .sb-row { cursor: pointer; border-bottom: 1px solid var(--line); }
.sb-rows .sb-row:hover { background: var(--panel); }
.sb-rows .sb-row.selected { background: var(--code-bg); box-shadow: inset 3px 0 0 var(--accent); }
.sb-answer { color: var(--muted); }
.sb-empty { padding: 10px; }
.sb-detail { border: 1px solid var(--line); border-radius: 8px; padding: 4px 14px 10px; margin-top: 12px; min-height: 60px; }
.sb-detail h3 { display: flex; gap: 8px; align-items: center; overflow-wrap: anywhere; }
.sb-detail h4 { margin: 14px 0 6px; }
.sb-facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 6px 0; font-size: 0.86rem; }
.sb-facts dt { color: var(--muted); }
.sb-facts dd { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.82rem; }
.sb-verifier { background: var(--panel); border-radius: 8px; padding: 2px 12px 6px; margin: 8px 0; }
.sb-explanation { font-weight: 600; }
.sb-timeline { list-style: none; margin: 0; padding: 0 0 0 14px; border-left: 2px solid var(--line); }
.sb-ev { position: relative; margin: 10px 0; padding: 4px 10px; border-radius: 6px; background: var(--bg); }
.sb-ev::before { content: ""; position: absolute; left: -21px; top: 10px; width: 10px; height: 10px; border-radius: 50%; background: var(--muted); }
.sb-ev.user::before { background: var(--arm-0); }
.sb-ev.assistant::before { background: var(--arm-2); }
.sb-ev.call::before { background: var(--arm-1); }
.sb-ev.tool::before { background: var(--arm-5); }
.sb-ev.tool-error::before { background: var(--bad); }
.sb-ev.call { background: var(--panel); }
.sb-ev-head { display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: center; font-size: 0.82rem; }
.sb-kind { font-size: 0.75rem; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); font-weight: 700; }
.sb-ev pre { margin: 4px 0; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 420px; overflow: auto; }
.sb-args { background: var(--code-bg); padding: 4px 6px; border-radius: 4px; }
.sb-policy { font-size: 0.84rem; color: var(--warn); margin: 2px 0; }
.infra-list td:last-child { white-space: pre-wrap; overflow-wrap: anywhere; }
`;
