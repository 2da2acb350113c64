import { AssayError, errorMessage } from '../../core/errors.js';
import type { ModelProvider, ModelRequest, ModelStep } from '../../core/provider.js';

/**
 * Whether the model server answers `n` with n choices, learnt once per run: `unknown` until
 * the first request with `n`, then `yes` or `no` (it ignored `n` or refused it).
 */
export interface ServerN {
  state: 'unknown' | 'yes' | 'no';
  /** Told once, when the server turns out not to take `n`. */
  onUnsupported?: (message: string) => void;
}

/**
 * K providers for the K samples of one decision whose first requests are the same (a vote's
 * or best-of-n's samples: same messages, same tools). The first of them to ask sends one
 * request with `n = K`; each sample's first turn is its own choice of that answer, and every
 * later turn (after tool calls the samples diverge) goes to the model as usual. Where the
 * server gives fewer choices, or refuses `n`, the samples left ask one by one and the run
 * stops using `n`. The shared request carries the sampling (seed included) of the sample that
 * asked first.
 */
export function sharedFirstTurn(
  model: ModelProvider,
  k: number,
  serverN: ServerN,
): ModelProvider[] | undefined {
  const stepMany = model.stepMany?.bind(model);
  if (k < 2 || stepMany === undefined || serverN.state === 'no') return undefined;
  let shared: Promise<ModelStep[]> | undefined;
  const ask = (request: ModelRequest): Promise<ModelStep[]> => {
    // Another decision may have learnt meanwhile that the server does not take `n`.
    if (shared === undefined && serverN.state === 'no') shared = Promise.resolve([]);
    shared ??= stepMany(request, k).then(
      (steps) => {
        if (steps.length >= k) serverN.state = 'yes';
        else unsupported(serverN, `it gave ${steps.length} of ${k} choices`);
        return steps;
      },
      (error: unknown) => {
        // Only a refusal of the request says the server does not take `n`; an abort, a
        // timeout or a server down leaves that open, and the samples ask alone this time.
        if (refusedRequest(error)) unsupported(serverN, errorMessage(error));
        return [];
      },
    );
    return shared;
  };
  return Array.from({ length: k }, (_, index) => {
    let first = true;
    return {
      info: model.info,
      async step(request: ModelRequest): Promise<ModelStep> {
        // Token ids need fields a request with `n` does not ask for: such turns go alone.
        if (first && request.recordTokens !== true) {
          first = false;
          const step = (await ask(request))[index];
          if (step !== undefined) return step;
        }
        return model.step(request);
      },
      ...(model.close ? { close: () => Promise.resolve() } : {}),
    };
  });
}

/** An HTTP 4xx that is not about rate, auth or the model's name: the request itself. */
function refusedRequest(error: unknown): boolean {
  const status = error instanceof AssayError ? error.details['status'] : undefined;
  return (
    typeof status === 'number' &&
    status >= 400 &&
    status < 500 &&
    ![401, 403, 404, 408, 409, 429].includes(status)
  );
}

function unsupported(serverN: ServerN, why: string): void {
  if (serverN.state === 'no') return;
  serverN.state = 'no';
  serverN.onUnsupported?.(
    `the model server does not answer "n" with several choices (${why}); samples of vote and best arms are sent as one request each`,
  );
}
