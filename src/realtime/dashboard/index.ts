/** The live dashboard: a pure frame renderer and the driver that redraws it on a terminal. */
export * from './driver';
export * from './render';
