/** Messages the agent and the frontend exchange (they never import each other). */
export * from './agent.js';
