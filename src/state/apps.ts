/** An app as the model stores it, the copies it hands out, and the NxApp shape built from one. */
import type { DataModelMetadata, NxApp, NxAppCreatePrivileges, NxAttributes } from '../spec/types';
import type { MediaTree } from './media-tree';
import { cloneJson } from './clone';

export const DEFAULT_APP_NAME = 'Untitled';
/** Real engines add this attribute to every app. */
export const APP_RESOURCE_TYPE = 'app';

export type StoredAttributes = NxAttributes & { id: string };

export interface StoredApp {
  /** Replaced as a whole on every change, never edited in place. */
  attributes: StoredAttributes;
  media: MediaTree;
  dataModel?: DataModelMetadata;
  /** The stream of the last publish, while published. */
  publishedStream?: string;
  /** Size of the .qvf an app was imported from; the bytes themselves are not kept. */
  importedFileBytes?: number;
  /** What QIX clients see beyond the attributes (scenario-held or set over QIX). */
  qix?: QixAppContent;
}

/** An app's QIX side beyond its attributes: layout and properties members, and its load script. */
export interface QixAppContent {
  /** Members GetAppLayout adds to (or overrides in) the layout made from the attributes. */
  layout?: Record<string, unknown>;
  /** Members GetAppProperties adds to (or overrides in) the properties made from the attributes. */
  properties?: Record<string, unknown>;
  /** What GetScript answers ("" when absent). */
  script?: string;
}

/** A copy of one app's state: changing it changes nothing in the model. */
export interface AppSnapshot {
  attributes: StoredAttributes;
  publishedStream?: string;
  importedFileBytes?: number;
  mediaFileCount: number;
  hasDataModel: boolean;
}

/** Every standard attribute of a fresh, unpublished app; callers overlay what they know. */
export function defaultAttributes(id: string, owner: string, timestamp: string): StoredAttributes {
  return {
    id,
    name: DEFAULT_APP_NAME,
    description: '',
    thumbnail: '',
    lastReloadTime: timestamp,
    createdDate: timestamp,
    modifiedDate: timestamp,
    owner,
    dynamicColor: '',
    published: false,
    publishTime: '',
    custom: {},
    _resourcetype: APP_RESOURCE_TYPE,
  };
}

export function snapshotOf(app: StoredApp): AppSnapshot {
  return {
    attributes: cloneJson(app.attributes),
    ...(app.publishedStream !== undefined ? { publishedStream: app.publishedStream } : {}),
    ...(app.importedFileBytes !== undefined ? { importedFileBytes: app.importedFileBytes } : {}),
    mediaFileCount: app.media.fileCount,
    hasDataModel: app.dataModel !== undefined,
  };
}

/**
 * The object types a client may create inside an app, as a real engine's import answer lists them:
 * in this order, each `resource` carrying its own quotes (`"\"sheet\""`).
 */
export const CREATABLE_RESOURCES: readonly string[] = ['sheet', 'bookmark', 'story', 'dimension', 'measure', 'masterobject', 'folderconnection', 'internetconnection'].map(
  (type) => JSON.stringify(type),
);

/** Privileges that let a user add objects to an app. */
const CREATING_PRIVILEGES: readonly string[] = ['create', 'update'];

/** The NxApp response for an app seen by a user holding `privileges`; a deep copy. */
export function toNxApp(app: { attributes: NxAttributes }, privileges: readonly string[]): NxApp {
  const canCreate = privileges.some((privilege) => CREATING_PRIVILEGES.includes(privilege));
  const create: NxAppCreatePrivileges[] = CREATABLE_RESOURCES.map((resource) => ({ resource, canCreate }));
  return { attributes: cloneJson(app.attributes), privileges: [...privileges], create };
}
