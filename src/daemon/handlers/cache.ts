import type { Handler } from '../server.js';

/** `jmake cache stats|clean`: the compile cache of this project's [cache] settings. */
export const cache: Handler<'cache'> = (params, { daemon }) => daemon.builder.cacheCommand(params.action);
