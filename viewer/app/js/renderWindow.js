// renderWindow.js: vtk.js loading and the render window, assembled by hand (not
// vtkGenericRenderWindow) so that the WebGL context is created without multisampling: MSAA
// costs several times the fill rate in software WebGL. Still frames are supersampled
// instead (SUPERSAMPLE), and the resolution follows the container's size.

// still frames are drawn at this multiple of the screen resolution (anti-aliasing)
export const SUPERSAMPLE = 1.5;

// window.vtk, loading it from url unless the page template started that already
export function loadVtk(url) {
  if (window.vtk) return Promise.resolve(window.vtk);
  if (!window.__gmedVtkPromise) {
    window.__gmedVtkPromise = new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = url;
      s.onload = () => resolve(window.vtk);
      s.onerror = () => reject(new Error("could not load vtk.js from " + url));
      document.head.appendChild(s);
    });
  }
  return window.__gmedVtkPromise;
}

// newRenderWindow(vtk, container, {onResize}): a renderer drawn into a canvas filling
// container at scale x the device pixels; onResize() after each size change
export function newRenderWindow(vtk, container, { onResize = () => {} } = {}) {
  const model = { scale: 1 };
  const renderWindow = vtk.Rendering.Core.vtkRenderWindow.newInstance();
  const renderer = vtk.Rendering.Core.vtkRenderer.newInstance({ background: [1, 1, 1] });
  renderWindow.addRenderer(renderer);
  const gl = renderWindow.newAPISpecificView();
  // the first getContext call fixes the attributes; vtk.js then gets this same context
  gl.getCanvas().getContext("webgl2", {
    preserveDrawingBuffer: false, depth: true, alpha: true, antialias: false, powerPreference: "high-performance",
  });
  renderWindow.addView(gl);
  gl.setContainer(container);
  const interactor = vtk.Rendering.Core.vtkRenderWindowInteractor.newInstance();
  interactor.setView(gl);
  interactor.initialize();
  interactor.bindEvents(container);
  interactor.setInteractorStyle(vtk.Interaction.Style.vtkInteractorStyleTrackballCamera.newInstance());

  const publicAPI = {
    getRenderer: () => renderer,
    getRenderWindow: () => renderWindow,
    getInteractor: () => interactor,
    getCamera: () => renderer.getActiveCamera(),
    getScale: () => model.scale,
  };
  publicAPI.resize = () => {
    const w = container.clientWidth, h = container.clientHeight;
    if (!w || !h) return;
    const dpr = window.devicePixelRatio || 1;
    gl.setSize(Math.max(1, Math.round(w * dpr * model.scale)), Math.max(1, Math.round(h * dpr * model.scale)));
    const c = gl.getCanvas();
    c.style.width = "100%"; c.style.height = "100%";
  };
  // one frame: the translucent actors blended over the opaque ones, deep first (blend.js)
  // sent to the GPU process at once (flush), which rasterizes it while the page goes on
  publicAPI.render = () => {
    orderTranslucent(gl, renderer);
    renderWindow.render();
    gl.getContext().flush();
  };
  publicAPI.setScale = (s) => { model.scale = s; publicAPI.resize(); };

  const observer = new ResizeObserver(() => { publicAPI.resize(); onResize(); });
  observer.observe(container);

  publicAPI.delete = () => {
    observer.disconnect();
    interactor.unbindEvents();
    interactor.delete();
    gl.setContainer(null);
    renderWindow.removeView(gl);
    gl.delete();
    renderWindow.delete();
  };
  return publicAPI;
}
