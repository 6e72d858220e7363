import { ContainerModule } from 'inversify';
/** Applications that sit on the layers below. */
export declare const appModule: ContainerModule;
