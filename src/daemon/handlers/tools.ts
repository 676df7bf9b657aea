import type { Handler } from '../server.js';

/** The compilers and LLVM tools found, and the set a build would use. */
export const tools: Handler<'tools'> = (params, { daemon }) => daemon.builder.tools(params.env ?? {}, params.path);
