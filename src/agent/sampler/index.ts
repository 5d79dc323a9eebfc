/** The resource sampler: the kernel's process tree, GPUs and energy, sampled (DESIGN.md, "The kernel-side agent"). */

export * from './procfs.js';
export * from './sampler.js';
export * from './nvidia.js';
export * from './rapl.js';
export * from './host.js';
export * from './resources.js';
