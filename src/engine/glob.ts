export { globMatch } from '../model/glob.js';
