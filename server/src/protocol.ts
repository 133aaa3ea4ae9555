/**
 * The custom LSP messages between the extension client and the Hangar server.
 * This is the only file both sides import.
 */
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import type { MarketServerCall } from './market/webviewProtocol';

export interface ServerStatus {
  state: 'starting' | 'ready' | 'error';
  version: string;
  message?: string;
  analyzedFiles: number;
}

export const ServerStatusNotification = new NotificationType<ServerStatus>('hangar/status');

/** Marketplace webview requests, forwarded by the extension host (see market/webviewProtocol.ts). */
export const MarketRequest = new RequestType<MarketServerCall, unknown, void>('hangar/market');

/** What the extension tells the language server when it starts it. */
export interface HangarInitializationOptions {
  /** False in a Restricted Mode workspace: only the analysis runs, nothing that executes project code. */
  trusted: boolean;
  /** The `hangar.*` command ids the extension has registered; code lenses only offer these. */
  commands: string[];
}

/** A range in a document, 0-based lines and UTF-16 characters as everywhere in LSP. */
export interface DagGraphRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

/** How a task or dependency differs from the version the graph is compared with (Compare with Live). */
export type GraphMark = 'added' | 'removed' | 'changed';

export interface DagGraphNode {
  /** The task id, or the variable name when the id is not a literal. */
  id: string;
  operator: string;
  /** `a.b` when the task is created inside task groups. */
  group?: string;
  range: DagGraphRange;
  /** Compare with Live: a removed task is a ghost that only the other version has (its range is empty). */
  mark?: GraphMark;
}

export interface DagGraphEdge {
  upstream: string;
  downstream: string;
  mark?: Exclude<GraphMark, 'changed'>;
}

/** Compare with Live: what the graph is compared with, and the text summary shown beside it. */
export interface GraphComparison {
  against: string;
  lines: string[];
}

export interface DagGraph {
  uri: string;
  version: number;
  dagId: string;
  /** Every DAG of the document, so the view can switch between them. */
  dagIds: string[];
  nodes: DagGraphNode[];
  edges: DagGraphEdge[];
}

export interface DagGraphParams {
  uri: string;
  /** Which DAG of the file; the first one when omitted or unknown. */
  dagId?: string;
}

/** The static task graph of one DAG of a document, from the syntax tree (no Airflow needed). */
export const DagGraphRequest = new RequestType<DagGraphParams, DagGraph | null, void>('hangar/dagGraph');

/** Messages of the DAG graph webview (media/src/graph.ts) and its host (client/src/graph). */
export type GraphHostToWebview = { type: 'graph'; graph: DagGraph; comparison?: GraphComparison } | { type: 'empty'; message: string };

export type GraphWebviewToHost =
  | { type: 'ready' }
  | { type: 'reveal'; range: DagGraphRange }
  | { type: 'selectDag'; dagId: string }
  /** Sent after each render, so tests and the host know what is on screen. */
  | { type: 'rendered'; dagId: string; nodes: number; edges: number; marks?: Record<GraphMark, number> };
