// Loading a building's GLB (viewer/gltf.py) into three.js objects the page can drive.
//
// The GLB is building → storeys → groups. A group node holds one merged mesh whose
// vertices carry `_ROOM_INDEX` / `_ELEMENT_INDEX`, and one child node per room or element
// (named by its code, `extras.index` = its number in the group). Children that point at a
// shared mesh are instanced copies. The plugin below reads a group node in one go: it
// keeps the children as a table (no Object3D per room or element, which would cost
// thousands of objects per building) and draws the copies of each shared mesh with one
// InstancedMesh, so a group costs one draw call plus one per repeated shape.

import * as THREE from 'three';
import { GLTFLoader } from 'three/addons/loaders/GLTFLoader.js';

/** A child node's translation: ours carry no rotation or scale, as `translation` or `matrix`. */
function translationOf(node) {
  if (node.translation) return node.translation;
  if (node.matrix) return [node.matrix[12], node.matrix[13], node.matrix[14]];
  return null;
}

class TwinGroupsPlugin {
  constructor(parser) {
    this.parser = parser;
    this.name = 'campus_twin_groups';
  }

  loadNode(nodeIndex) {
    const def = this.parser.json.nodes[nodeIndex];
    if (!def.extras || def.extras.index_attribute === undefined) return null;
    return this.loadGroup(def);
  }

  async loadGroup(def) {
    const { parser } = this;
    const nodes = parser.json.nodes;
    const extras = def.extras;
    const count = extras.count;
    const ids = new Array(count);
    const points = extras.group === 'rooms' ? new Float32Array(count * 3).fill(NaN) : null;
    const copies = new Map();
    for (const childIndex of def.children || []) {
      const child = nodes[childIndex];
      const index = child.extras.index;
      const translation = translationOf(child);
      ids[index] = child.name;
      if (points && translation && child.mesh === undefined) points.set(translation, index * 3);
      if (child.mesh !== undefined) {
        if (!copies.has(child.mesh)) copies.set(child.mesh, []);
        copies.get(child.mesh).push({ index, translation: translation || [0, 0, 0] });
      }
    }
    const object = new THREE.Group();
    object.name = def.name;
    const group = {
      kind: extras.group,
      storeyCode: extras.storey_code,
      system: extras.system ?? null,
      medium: extras.medium ?? null,
      indexAttribute: extras.index_attribute.toLowerCase(),
      ids,
      points,
      object,
      merged: null,
      instanced: [],
    };
    object.userData.twinGroup = group;
    if (def.mesh !== undefined) {
      const mesh = await parser.getDependency('mesh', def.mesh);
      mesh.userData.twinGroup = group;
      object.add(mesh);
      group.merged = mesh;
    }
    const matrix = new THREE.Matrix4();
    for (const [meshIndex, list] of copies) {
      const shape = await parser.getDependency('mesh', meshIndex);
      const instanced = new THREE.InstancedMesh(shape.geometry, shape.material, list.length);
      list.forEach((copy, k) => {
        matrix.makeTranslation(copy.translation[0], copy.translation[1], copy.translation[2]);
        instanced.setMatrixAt(k, matrix);
      });
      instanced.userData.indices = Int32Array.from(list, (copy) => copy.index);
      instanced.userData.twinGroup = group;
      instanced.computeBoundingSphere();
      object.add(instanced);
      group.instanced.push(instanced);
    }
    return object;
  }
}

const loader = new GLTFLoader().register((parser) => new TwinGroupsPlugin(parser));

/** One building as loaded: its storeys (low to high), groups, and where each room is. */
export class BuildingModel {
  constructor(code, root) {
    this.code = code;
    this.root = root;
    const node = root.children[0];
    this.twin = (node && node.userData.twin) || { storeys: [] };
    this.storeys = this.twin.storeys.map((storey) => ({
      code: storey.storey_code,
      elevation: storey.elevation_m,
      object: null,
      groups: [],
    }));
    this.storeyByCode = new Map(this.storeys.map((storey) => [storey.code, storey]));
    this.groups = [];
    this.rooms = new Map();
    this.elements = new Map();
    root.traverse((object) => {
      const storey = this.storeyByCode.get(object.userData.storey_code);
      if (storey && object.userData.index_attribute === undefined && !object.userData.twinGroup) {
        storey.object = object;
      }
      const group = object.userData.twinGroup;
      if (group && group.object === object) this.groups.push(group);
    });
    for (const group of this.groups) {
      const storey = this.storeyByCode.get(group.storeyCode);
      if (storey) storey.groups.push(group);
      group.building = this;
      const table = group.kind === 'rooms' ? this.rooms : this.elements;
      group.ids.forEach((id, index) => table.set(id, { group, index }));
    }
    root.updateMatrixWorld(true);
    this.bounds = new THREE.Box3().setFromObject(root);
  }

  /** The room's label point in world coordinates (centre of its footprint, at its top). */
  roomPoint(code) {
    const room = this.rooms.get(code);
    if (!room || !room.group.points) return null;
    const p = room.group.points;
    const i = room.index * 3;
    if (Number.isNaN(p[i])) return null;
    return new THREE.Vector3(p[i], p[i + 1], p[i + 2]).applyMatrix4(room.group.object.matrixWorld);
  }

  /** World-space box of one room, from the vertices that carry its index. */
  roomBox(code) {
    return partBox(this.rooms.get(code));
  }

  /** World-space box of one element, merged or instanced. */
  elementBox(id) {
    return partBox(this.elements.get(id));
  }
}

function partBox(part) {
  if (!part) return null;
  const { group, index } = part;
  const box = new THREE.Box3();
  for (const instanced of group.instanced) {
    const k = instanced.userData.indices.indexOf(index);
    if (k < 0) continue;
    const matrix = new THREE.Matrix4();
    instanced.getMatrixAt(k, matrix);
    if (!instanced.geometry.boundingBox) instanced.geometry.computeBoundingBox();
    return box.copy(instanced.geometry.boundingBox).applyMatrix4(matrix).applyMatrix4(instanced.matrixWorld);
  }
  const mesh = group.merged;
  if (!mesh) return null;
  const ids = mesh.geometry.getAttribute(group.indexAttribute);
  const position = mesh.geometry.getAttribute('position');
  const v = new THREE.Vector3();
  for (let i = 0; i < ids.count; i++) {
    if (ids.getX(i) === index) box.expandByPoint(v.fromBufferAttribute(position, i));
  }
  return box.isEmpty() ? null : box.applyMatrix4(mesh.matrixWorld);
}

/** Fetch-free parse: `buffer` is the GLB the API served. */
export async function parseBuilding(code, buffer) {
  const gltf = await loader.parseAsync(buffer, '');
  return new BuildingModel(code, gltf.scene);
}
