import type { Problem } from '@waymark/nodes';
import { createContext, useContext } from 'react';
import type { NodeCounts } from './analytics.ts';
import { catalogOf, type NodeTypeCatalog } from './registry.ts';
import type { NodeDiff } from './version-diff.ts';

/** What the canvas's node cards read besides their own data. */
export interface CanvasInfo {
  catalog: NodeTypeCatalog;
  problemsByNode: ReadonlyMap<string, readonly Problem[]>;
  /** In simulation: the step numbers at which each node was left. */
  visits: ReadonlyMap<string, readonly number[]> | null;
  readOnly: boolean;
  /** While comparing with the live version: how each step differs from it. */
  changes?: ReadonlyMap<string, NodeDiff> | null;
  /** While the analytics overlay is on: the live version's counts per step. */
  counts?: ReadonlyMap<string, NodeCounts> | null;
  /** Ports that connections leave from but the step does not have (renamed, removed, hand-written JSON). */
  missingPorts?: ReadonlyMap<string, readonly string[]>;
}

const CanvasContext = createContext<CanvasInfo>({
  catalog: catalogOf([]),
  problemsByNode: new Map(),
  visits: null,
  readOnly: false,
});

/** Provides {@link CanvasInfo} to the node cards. */
export const CanvasInfoProvider = CanvasContext.Provider;

/** The canvas information for node cards. */
export function useCanvasInfo(): CanvasInfo {
  return useContext(CanvasContext);
}
