// The case page's BPMN diagram: bpmn-js (the viewer bundle) draws the deployed model and marks
// the elements the case waits in. An enhancement only: the page lists the same elements as text.
// Data comes from a JSON script element, so the Content-Security-Policy needs no inline script.
(function () {
  'use strict'
  var container = document.getElementById('case-diagram')
  if (!container || typeof window.BpmnJS !== 'function') return
  var source = document.getElementById(container.getAttribute('data-diagram-source'))
  if (!source) return
  var data = JSON.parse(source.textContent)
  var viewer = new window.BpmnJS({ container: container })
  viewer.importXML(data.xml).then(function () {
    var canvas = viewer.get('canvas')
    var registry = viewer.get('elementRegistry')
    data.active.forEach(function (id) {
      if (registry.get(id)) canvas.addMarker(id, 'workbench-active')
    })
    canvas.zoom('fit-viewport')
    // The picture is hidden from assistive technology (the page lists the same elements as
    // text), so nothing inside may take keyboard focus either: the canvas and the bpmn.io link.
    container.querySelectorAll('a, [tabindex], svg').forEach(function (element) {
      element.setAttribute('tabindex', '-1')
    })
    container.classList.add('workbench-diagram--ready')
  }).catch(function () {
    container.hidden = true
  })
})()
