import { ImportList } from './ImportList';
import { ImportShow } from './ImportShow';
import { ImportUpload } from './ImportUpload';

export default { list: ImportList, create: ImportUpload, show: ImportShow };
