import type { Menu, MenuItemConstructorOptions, NativeImage, Tray } from 'electron';
import type { Snapshot } from '../common/layer-protocol.ts';
import type { DesktopMode } from '../core/app/attach.ts';
import type { LoginItemState } from './login-item.ts';
import { trayMenu, trayView, type TrayAction, type TrayIcon, type TrayItem } from './tray-model.ts';

export interface TrayDeps {
  tray: Pick<Tray, 'setImage' | 'setToolTip' | 'setTitle' | 'setContextMenu'>;
  buildMenu: (template: MenuItemConstructorOptions[]) => Menu;
  image: (icon: TrayIcon, template: boolean) => NativeImage;
  onAction: (a: TrayAction) => void;
}

export function toMenuTemplate(items: TrayItem[], onAction: (a: TrayAction) => void): MenuItemConstructorOptions[] {
  return items.map((i) => ({
    label: i.label,
    type: i.type,
    enabled: i.enabled,
    checked: i.checked,
    submenu: i.submenu ? toMenuTemplate(i.submenu, onAction) : undefined,
    click: i.action ? () => onAction(i.action!) : undefined,
  }));
}

/** Keeps the menu-bar icon, its title, tooltip and menu in step with the host. */
export function initializeTray(deps: TrayDeps): {
  update(snap: Snapshot | null, loginItem: LoginItemState, host?: DesktopMode, canInstallCli?: boolean): void;
} {
  let lastKey = '';
  return {
    update(snap, loginItem, host, canInstallCli) {
      const view = trayView(snap, host);
      const menu = trayMenu(snap, { loginItem, host, canInstallCli });
      const key = JSON.stringify([view, menu]);
      if (key === lastKey) return; // the snapshot comes every 2 s; rebuild only on change
      lastKey = key;
      deps.tray.setImage(deps.image(view.icon, view.template));
      deps.tray.setToolTip(view.tooltip);
      deps.tray.setTitle(view.title);
      deps.tray.setContextMenu(deps.buildMenu(toMenuTemplate(menu, deps.onAction)));
    },
  };
}
