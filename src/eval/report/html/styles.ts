/** The report's only style sheet, inlined: light and dark schemes follow the reader's setting. */
export const REPORT_CSS = `
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1d232b; --muted: #5b6573; --line: #d9dee5; --panel: #f5f7fa;
  --accent: #2457c5; --ok: #1f7a3d; --bad: #b3261e; --warn: #8a5a00;
  --ok-bg: #e3f3e8; --bad-bg: #fbe5e3; --warn-bg: #fdf0d5;
  --arm-0: #2f6fde; --arm-1: #e07a1f; --arm-2: #2e9e6a; --arm-3: #9a4fd0; --arm-4: #c23b6b; --arm-5: #6b7c93;
  --code-bg: #eef1f5;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #14181d; --fg: #e4e8ee; --muted: #9aa5b4; --line: #2e3640; --panel: #1b2128;
    --accent: #7fa8ff; --ok: #6fd08f; --bad: #ff8a80; --warn: #f2c15b;
    --ok-bg: #16301f; --bad-bg: #3a1b19; --warn-bg: #3a2e12;
    --arm-0: #6d9cff; --arm-1: #f5a04a; --arm-2: #52c98f; --arm-3: #be8cf0; --arm-4: #f07aa5; --arm-5: #9fb0c6;
    --code-bg: #222a33;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 28px 24px 48px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; }
h2 { font-size: 1.2rem; margin: 36px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.02rem; margin: 22px 0 8px; }
p { margin: 8px 0; }
a { color: var(--accent); }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.86em; }
code { background: var(--code-bg); padding: 1px 4px; border-radius: 4px; overflow-wrap: anywhere; }
.sub, .muted, .note { color: var(--muted); }
.note { font-size: 0.9rem; }
.run-info { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 16px 0 0;
  padding: 12px 16px; background: var(--panel); border: 1px solid var(--line); border-radius: 8px; }
.run-info dt { color: var(--muted); }
.run-info dd { margin: 0; overflow-wrap: anywhere; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(210px, 1fr)); gap: 12px; margin: 12px 0; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; background: var(--panel);
  border-top: 4px solid var(--arm, var(--line)); }
.card .name { font-weight: 600; overflow-wrap: anywhere; }
.card .big { font-size: 1.9rem; font-weight: 700; font-variant-numeric: tabular-nums; }
.card .small { color: var(--muted); font-size: 0.88rem; }
.verdict { padding: 10px 14px; border-radius: 8px; background: var(--panel); border-left: 4px solid var(--accent); }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; font-size: 0.88rem; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
tbody th { color: var(--fg); white-space: nowrap; }
td.num, th.num { text-align: right; }
td.num { white-space: nowrap; }
.swatch { background: var(--arm, var(--muted)); display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; }
.chart { width: 100%; height: auto; display: block; margin: 8px 0 4px; }
.chart text { fill: var(--fg); font-size: 13px; font-family: inherit; }
.chart .tick { fill: var(--muted); font-size: 12px; }
.chart .group-label { font-weight: 600; }
.chart .value { font-variant-numeric: tabular-nums; }
.chart .grid { stroke: var(--line); stroke-width: 1; }
.chart .zero { stroke: var(--fg); stroke-width: 1.5; stroke-dasharray: 4 3; }
.chart .whisker, .chart .diff-ci { stroke: var(--fg); stroke-width: 1.6; fill: none; }
.chart .diff-ci { stroke-width: 2.4; }
.chart .diff-point { stroke: var(--bg); stroke-width: 2; fill: var(--muted); }
.chart .diff-point.positive { fill: var(--ok); }
.chart .diff-point.negative { fill: var(--bad); }
${[0, 1, 2, 3, 4, 5].map((i) => `.arm-${i} { fill: var(--arm-${i}); } .sw-${i} { --arm: var(--arm-${i}); }`).join('\n')}
.badge { display: inline-block; padding: 0 7px; border-radius: 10px; font-size: 0.8rem; font-weight: 600; white-space: nowrap; }
.badge.ok { background: var(--ok-bg); color: var(--ok); }
.badge.bad { background: var(--bad-bg); color: var(--bad); }
.badge.warn { background: var(--warn-bg); color: var(--warn); }
.tasks { border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
.task-row, .tasks-head { display: grid; grid-template-columns: minmax(160px, 2fr) repeat(var(--cols, 2), minmax(120px, 1fr)); gap: 10px; padding: 7px 12px; }
.tasks-head { background: var(--panel); color: var(--muted); font-weight: 600; font-size: 0.9rem; }
.tasks details { border-top: 1px solid var(--line); }
.tasks > details > summary { cursor: pointer; list-style: none; }
.tasks > details > summary::-webkit-details-marker { display: none; }
.tasks summary .task-id::before { content: "▸ "; color: var(--muted); }
.tasks details[open] summary .task-id::before { content: "▾ "; }
.tasks > details > summary:hover { background: var(--panel); }
.tasks > details > summary:focus-visible { outline: 2px solid var(--accent); outline-offset: -2px; }
.task-id { overflow-wrap: anywhere; }
.conversations { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 12px; padding: 4px 12px 14px; }
.arm-col h4 { margin: 8px 0; font-size: 0.95rem; }
.sample { border: 1px solid var(--line); border-radius: 8px; padding: 8px 10px; margin-bottom: 10px; background: var(--bg); }
.sample header { font-size: 0.85rem; color: var(--muted); }
.sample .verifier, .sample .outcome, .sample .error-line { font-size: 0.85rem; margin: 6px 0; }
.sample .outcome { color: var(--muted); }
.sample .error-line { color: var(--warn); }
.messages { list-style: none; margin: 0; padding: 0; }
.msg { border-left: 3px solid var(--line); padding: 2px 0 2px 10px; margin: 8px 0; }
.msg .role { font-size: 0.75rem; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); font-weight: 600; }
.msg.user { border-left-color: var(--arm-0); }
.msg.assistant { border-left-color: var(--arm-2); }
.msg.tool { border-left-color: var(--arm-5); }
.msg.tool-error { border-left-color: var(--bad); }
.msg pre { margin: 2px 0; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 420px; overflow: auto; }
.call { margin: 4px 0; }
.call pre { background: var(--code-bg); padding: 4px 6px; border-radius: 4px; }
.reasoning summary { cursor: pointer; color: var(--muted); font-size: 0.85rem; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
footer { margin-top: 40px; color: var(--muted); font-size: 0.85rem; }
`;
