// Types of mathjs's single-file build. Its default export is mathjs's default instance, whose
// `create` is bound to every factory: `create(config)` there is `create(all, config)` in 'mathjs'.
declare module 'mathjs/lib/browser/math.js' {
  import type { ConfigOptions, MathJsInstance } from 'mathjs';

  const mathjs: { create(config: ConfigOptions): MathJsInstance };
  export default mathjs;
}
